#!/usr/bin/python3
"""CPU time of a command and of every process it starts: `bench/session-cpu.py COMMAND ARGS...`.

/usr/bin/time counts only the children that are waited for; diffspec's isolation hosts and the programs of process
backends are stopped with a signal at the end of a run, so their CPU time is lost to it. This runs the command in a
session of its own and samples /proc every 0.1 s, summing user + system time per process of that session (the last
0.1 s of a process that exits between samples is missed). The command's output goes to stdout as usual; the totals,
by kind of process, go to stderr.
"""
import os
import subprocess
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def session_processes(sid):
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline") as f:
                command = f.read().replace("\0", " ")
        except OSError:
            continue  # exited meanwhile
        fields = stat[stat.rindex(")") + 2:].split()  # from field 3 (state) on
        if int(fields[3]) == sid:  # field 6: the session id
            yield pid, (int(fields[11]) + int(fields[12])) / TICKS, command


def main():
    start = time.time()
    child = subprocess.Popen(sys.argv[1:], start_new_session=True)
    last = {}
    while child.poll() is None:
        for pid, seconds, command in session_processes(child.pid):
            last[pid] = (seconds, last.get(pid, (0, ""))[1] or command)  # a zombie's command line is empty
        time.sleep(0.1)
    kinds = {}
    for seconds, command in last.values():
        kind = os.path.basename(command.split()[0]) if command else "?"
        total, count = kinds.get(kind, (0, 0))
        kinds[kind] = (total + seconds, count + 1)
    total = sum(seconds for seconds, _ in kinds.values())
    parts = ", ".join(f"{kind} {seconds:.1f} s ({count} processes)" for kind, (seconds, count) in kinds.items())
    print(f"session-cpu: wall {time.time() - start:.1f} s, CPU {total:.1f} s: {parts}", file=sys.stderr)
    sys.exit(child.returncode)


main()
