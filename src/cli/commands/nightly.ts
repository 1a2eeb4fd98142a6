import { join, resolve } from 'node:path';
import type { DiffusionBackend } from '../../contract/backend.js';
import { writeFileAtomic } from '../../files.js';
import { isModulePath, selectBackend } from '../../speckit/selection.js';
import { requireKnownBackends } from '../backend.js';
import { defineCommand } from '../command.js';
import { option } from '../options.js';
import { integer, number, text } from '../values.js';

export const nightlyCommand = defineCommand({
  name: 'nightly',
  summary: 'measure the false-alarm rate: the statistical checks run many times with fresh seeds',
  description: `Runs every statistical check of the suite --runs times on each backend, each run with a fresh
suite seed, and writes a table to the report folder (nightly.md, nightly.json; rewritten after every run, so a
stopped job keeps what it measured): runs, failures per check, the observed false-alarm rate with its one-sided 95%
Clopper-Pearson upper bound against the suite budget (src/speckit/budget.ts) and each check's stated rate, and every
failure's seeds and replay command. A check that fails more often than its stated rate (one-sided binomial
p < 0.05 / m over the m checks of its backend) is a finding.`,
  options: {
    runs: option(integer(1), { default: 200, description: 'fresh-seed runs per backend' }),
    backends: option(text('NAME|PATH'), {
      list: true,
      defaultText: 'cpu',
      description: 'backend names or module paths (as for diffspec conformance --backend)',
    }),
    minutes: option(number({ above: 0 }, 'M'), {
      description: 'start no new run after this many minutes (the table says how many runs fitted)',
    }),
    out: option(text('DIR'), { default: join('reports', 'nightly'), description: 'report folder' }),
  },
  exitStatus: {
    0: 'no check failed more often than its stated rate',
    1: 'a check failed more often than its stated rate (a finding), or a backend could not run',
  },
  examples: ['npm run nightly -- --runs 200', 'diffspec nightly --backends tfjs:wasm --runs 1000 --minutes 20'],
  async run({ runs, backends: chosen, minutes, out: outDir }) {
    const selectors = chosen.length > 0 ? chosen : ['cpu'];
    await requireKnownBackends('backends', selectors);
    const [{ SPEC_GROUPS }, { SUITE_FALSE_ALARM_BUDGET }, nightly, { nightlyMarkdown, findings }] = await Promise.all([
      import('../../../spec/groups/index.js'),
      import('../../speckit/budget.js'),
      import('../../nightly/runs.js'),
      import('../../nightly/table.js'),
    ]);
    const backends: { selector: string; backend: DiffusionBackend }[] = [];
    for (const selector of selectors) {
      const r = await selectBackend(isModulePath(selector) ? resolve(selector) : selector);
      if (!('backend' in r)) {
        process.stderr.write(`diffspec nightly: ${r.name} cannot run: ${'failed' in r ? r.failed : r.skipped}\n`);
        return 1;
      }
      backends.push({ selector: r.selector, backend: r.backend });
    }
    const checks = nightly.statisticalChecks(SPEC_GROUPS);
    const tallies = backends.map((b) => nightly.emptyTally(b.backend.name, checks));
    const out = resolve(outDir);
    const started = new Date();
    const deadline = minutes === undefined ? Infinity : started.getTime() + minutes * 60_000;
    const names = backends.map((b) => b.backend.name).join(', ');
    process.stdout.write(`diffspec nightly: ${checks.length} statistical checks, up to ${runs} runs on ${names}\n`);
    for (let run = 1; run <= runs && Date.now() < deadline; run++) {
      const suiteSeed = nightly.freshSuiteSeed();
      for (const [i, { selector, backend }] of backends.entries()) {
        const runStarted = performance.now();
        const failures = await nightly.nightlyRun(tallies[i], backend, selector, checks, suiteSeed);
        const seconds = ((performance.now() - runStarted) / 1000).toFixed(1);
        const failed = failures.map((f) => `\n  FAIL ${f.check}: ${f.message.split('\n')[0]}\n  replay: ${f.replay}`);
        const line = `run ${run} ${backend.name} suite seed ${suiteSeed}: ${failures.length} failed (${seconds} s)`;
        process.stdout.write(`${line}${failed.join('')}\n`);
      }
      const budget = SUITE_FALSE_ALARM_BUDGET;
      await writeFileAtomic(join(out, 'nightly.md'), nightlyMarkdown(tallies, budget, started));
      const json = JSON.stringify({ started: started.toISOString(), budget, tallies }, null, 2);
      await writeFileAtomic(join(out, 'nightly.json'), `${json}\n`);
    }
    for (const { backend } of backends) await backend.dispose?.();
    const table = nightlyMarkdown(tallies, SUITE_FALSE_ALARM_BUDGET, started);
    process.stdout.write(`\n${table}\nreport: ${join(outDir, 'nightly.md')}\n`);
    return tallies.some((t) => findings(t).length > 0) ? 1 : 0;
  },
});
