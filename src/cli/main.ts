#!/usr/bin/env node
import { DiffspecInputError } from '../errors.js';
import { UsageError, type Command } from './command.js';
import { compareCommand } from './commands/compare.js';
import { conformanceCommand } from './commands/conformance.js';
import { evalCommand } from './commands/eval.js';
import { forwardCommand } from './commands/forward.js';
import { sampleCommand } from './commands/sample.js';
import { trainCommand } from './commands/train.js';

const COMMANDS: Command[] = [conformanceCommand, compareCommand, evalCommand, forwardCommand, trainCommand, sampleCommand];

function help(): string {
  return [
    'diffspec: reference specs for denoising diffusion models (DDPM, DDIM)',
    '',
    'Usage: diffspec <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
    '',
    'Run `diffspec <command> --help` for the options of one command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`diffspec: unknown command ${JSON.stringify(name)}\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`diffspec ${command.name}: ${e.message}\n\n${command.usage}\n`);
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
