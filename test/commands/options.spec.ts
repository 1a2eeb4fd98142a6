// The command line's one option parser (src/cli/options.ts): each command's declaration gives its parsing, its
// validation and its --help; exit status 2 is a usage error, 1 bad input or a failed check, 0 success.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { flag, option, parseOptions } from '../../src/cli/options.js';
import { integer, number, oneOf, text } from '../../src/cli/values.js';
import { runCli } from './run-cli.js';

const TABLE = {
  count: option(integer(1), { default: 5, description: 'how many' }),
  rate: option(number({ min: 0, below: 1 }), { description: 'a rate' }),
  share: option(number({ above: 0, max: 1 }), { description: 'a share' }),
  mode: option(oneOf(['fast', 'exact']), { default: 'exact', description: 'how' }),
  tag: option(text('TAG'), { list: true, description: 'tags' }),
  name: option(text('NAME'), { required: true, description: 'a name' }),
  dry: flag('do nothing'),
};

describe('option parsing', () => {
  it('reads "--name value", "--name=value", lists in order, flags and defaults, and records what was given', () => {
    const { values, given } = parseOptions(['--name', 'x', '--tag=a,b', '--tag', 'c', '--dry', '--rate=0.5'], TABLE);
    const expected = {
      count: 5,
      rate: 0.5,
      share: undefined,
      mode: 'exact',
      tag: ['a', 'b', 'c'],
      name: 'x',
      dry: true,
    };
    expect(values).toEqual(expected);
    expect([...given].sort()).toEqual(['dry', 'name', 'rate', 'tag']);
    expect(parseOptions(['--name', 'x'], TABLE).values).toMatchObject({ dry: false, tag: [], rate: undefined });
  });

  it.each([
    [['--name', 'x', '--bogus'], 'unknown option --bogus'],
    [['--name', 'x', '-b'], 'unknown option -b'],
    [['--name', 'x', '--count', '0'], '--count must be an integer >= 1, got "0"'],
    [['--name', 'x', '--count', '2.5'], '--count must be an integer >= 1, got "2.5"'],
    [['--name', 'x', '--count', ''], '--count must be an integer >= 1, got ""'],
    [['--name', 'x', '--rate', '1'], '--rate must be a number >= 0 and < 1, got "1"'],
    [['--name', 'x', '--rate', 'NaN'], '--rate must be a number >= 0 and < 1, got "NaN"'],
    [['--name', 'x', '--share', '0'], '--share must be a number > 0 and <= 1, got "0"'],
    [['--name', 'x', '--share', '1.5'], '--share must be a number > 0 and <= 1, got "1.5"'],
    [['--name', 'x', '--mode', 'slow'], '--mode must be one of fast, exact, got "slow"'],
    [['--name', 'x', '--count'], '--count needs a value (--count N)'],
    [['--name', '--dry'], '--name needs a value (--name NAME), got the option --dry'],
    [['--name', 'x', '--dry=yes'], '--dry takes no value'],
    [['--name', 'x', '--name', 'y'], '--name is given more than once'],
    [['--name', 'x', 'stray'], 'unexpected argument "stray"'],
    [[], '--name NAME is required'],
  ])('rejects %j: %s', (argv, message) => {
    expect(() => parseOptions(argv, TABLE)).toThrow(UsageError);
    expect(() => parseOptions(argv, TABLE)).toThrow(message);
  });
});

describe('each command declares its options once', () => {
  const commands = COMMANDS.map((c) => [c.name, c] as const);
  it.each(commands)('diffspec %s --help lists every declared option and the exit statuses', (_, command) => {
    const names = Object.keys(command.options);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(command.help).toMatch(new RegExp(`^  --${name}( |$)`, 'm'));
    const listed = [...command.help.matchAll(/^ {2}--([\w-]+)/gm)].map((m) => m[1]);
    expect(listed).toEqual(names);
    const status = command.help.slice(command.help.indexOf('\nExit status:\n'));
    for (const code of [0, 1, 2]) expect(status).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
    expect(status).toContain('usage error');
  });
});

describe('exit statuses of the diffspec binary', () => {
  it('prints help and exits 2 with no command, 0 with --help', () => {
    const bare = runCli([]);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain('Usage: diffspec <command>');
    const help = runCli(['--help']);
    expect(help.status).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(`  ${c.name} `);
  });

  it("exits 0 on a command's --help, printing exactly its generated help", () => {
    const r = runCli(['train', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${COMMANDS.find((c) => c.name === 'train')!.help}\n`);
  });

  it('exits 2 on an unknown option, naming it', () => {
    const r = runCli(['eval', '--case', '-', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option --bogus');
    expect(r.stderr).toContain('Usage: diffspec eval');
  });

  it('exits 2 on a bad integer, naming the option and the value', () => {
    const r = runCli(['compare', '--backends', 'cpu', '--repeat', 'two']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--repeat must be an integer >= 1, got "two"');
  });

  it('exits 1 on bad input, naming the option', () => {
    const r = runCli(['eval', '--case', 'no/such/case.json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--case');
  });
});
