import { spawnSync } from 'node:child_process';
import { packageRoot } from '../../src/paths.js';

/** Runs the diffspec CLI from source in a child process, as a user runs it from a shell. */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 120_000,
): { status: number | null; stdout: string; stderr: string } {
  const environment = { ...process.env, ...env, NO_COLOR: '1' };
  const options = { cwd: packageRoot(), encoding: 'utf8', env: environment, timeout: timeoutMs } as const;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], options);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
