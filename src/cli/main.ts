#!/usr/bin/env node
import { DiffspecInputError } from '../errors.js';
import { UsageError } from './command.js';
import { COMMANDS } from './commands/index.js';
import { twoColumns, USAGE_EXIT_STATUS } from './help.js';

const EXIT_STATUS: [string, string][] = [
  ['0', 'success'],
  ['1', 'a check failed, or the input was bad (each command says which in its --help)'],
  ['2', `${USAGE_EXIT_STATUS}; also diffspec with no command`],
];

function help(): string {
  return [
    'diffspec: reference specs for denoising diffusion models (DDPM, DDIM)',
    '',
    'Usage: diffspec <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
    '',
    'Run `diffspec <command> --help` (or `diffspec help <command>`) for the options of one command.',
    '',
    'Exit status:',
    ...twoColumns(EXIT_STATUS, 6).map((l) => `  ${l}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(`${help()}\n`);
    return 2;
  }
  if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    process.stdout.write(`${help()}\n`);
    return 0;
  }
  const wanted = name === 'help' ? rest[0] : name;
  const command = COMMANDS.find((c) => c.name === wanted);
  if (!command) {
    process.stderr.write(`diffspec: unknown command ${JSON.stringify(wanted)}\n\n${help()}\n`);
    return 2;
  }
  if (name === 'help') return command.run(['--help']);
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`diffspec ${command.name}: ${e.message}\n${command.usage}\n`);
      process.stderr.write(`Run 'diffspec ${command.name} --help' for its options.\n`);
      return 2;
    }
    if (e instanceof DiffspecInputError) {
      process.stderr.write(`diffspec ${command.name}: invalid input: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
