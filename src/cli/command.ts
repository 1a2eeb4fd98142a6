import { commandHelp, type HelpSpec, synopsis } from './help.js';
import { type OptionTable, type OptionValues, parseOptions, wantsHelp } from './options.js';

export { UsageError } from './usage-error.js';

/** A `diffspec` subcommand: one file each in src/cli/commands, listed in src/cli/commands/index.ts. */
export interface Command {
  name: string;
  summary: string;
  /** The declared options (parsing, validation and help all come from them). */
  options: OptionTable;
  /** The full --help text. */
  help: string;
  /** The one-line synopsis printed under a usage error. */
  usage: string;
  /** Parses argv and runs; returns the exit status. Throws UsageError (status 2) or DiffspecInputError (1). */
  run(argv: readonly string[]): Promise<number>;
}

export interface CommandSpec<O extends OptionTable> extends HelpSpec {
  summary: string;
  options: O;
  /** Runs with the parsed, validated options; `given` holds those on the command line. */
  run(values: OptionValues<O>, given: ReadonlySet<keyof O & string>): Promise<number>;
}

/** A command from its declaration: the option table gives the parser, the validation and the help. */
export function defineCommand<O extends OptionTable>(spec: CommandSpec<O>): Command {
  const help = commandHelp(spec);
  return {
    name: spec.name,
    summary: spec.summary,
    options: spec.options,
    help,
    usage: synopsis(spec),
    async run(argv) {
      if (wantsHelp(argv)) {
        process.stdout.write(`${help}\n`);
        return 0;
      }
      const { values, given } = parseOptions(argv, spec.options);
      return spec.run(values, given);
    },
  };
}
