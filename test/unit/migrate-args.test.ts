import { DEFAULT_SAMPLE, DEFAULT_SEED, parseMigrateArgs, UsageError } from '../../src/cli/migrate-args';

/** The migrate command's line: what it accepts, and the one message naming every problem otherwise. */
describe('migrate command line', () => {
  const problem = (argv: string[]): string => {
    try {
      parseMigrateArgs(argv);
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      return (e as Error).message;
    }
    throw new Error(`accepted ${argv.join(' ')}`);
  };

  it('reads the README form with its defaults', () => {
    expect(parseMigrateArgs(['--from', 'lance', '--to', 'milvus'])).toEqual({
      help: false,
      from: { engine: 'lance' },
      to: { engine: 'milvus' },
      collections: null,
      replace: false,
      sample: DEFAULT_SAMPLE,
      seed: DEFAULT_SEED,
    });
  });

  it('reads every option, in either spelling', () => {
    expect(parseMigrateArgs(['--from=milvus', '--to', 'lance', '--to-dir', '/srv/data', '--collections', 'a, b,c', '--replace', '--sample=0', '--seed', '7'])).toEqual({
      help: false,
      from: { engine: 'milvus' },
      to: { engine: 'lance', dataDir: '/srv/data' },
      collections: ['a', 'b', 'c'],
      replace: true,
      sample: 0,
      seed: 7,
    });
    expect(parseMigrateArgs(['--from', 'lance', '--from-dir', 'a', '--to', 'lance', '--to-dir', 'b']).to).toEqual({ engine: 'lance', dataDir: 'b' });
  });

  it('takes --help alone', () => {
    expect(parseMigrateArgs(['-h']).help).toBe(true);
    expect(parseMigrateArgs(['--help', '--from', 'lance']).help).toBe(true);
  });

  it.each([
    [[], '--from is required (lance or milvus); --to is required (lance or milvus)'],
    [['--from', 'lance'], '--to is required'],
    [['--from', 'sqlite', '--to', 'milvus'], '--from "sqlite": expected lance or milvus'],
    [['--from', 'lance', '--to', 'milvus', '--bogus'], "Unknown option '--bogus'"],
    [['--from', 'lance', '--to', 'milvus', 'extra'], "Unexpected argument 'extra'"],
    [['--from', 'lance', '--to'], "Option '--to <value>' argument missing"],
    [['--from', 'milvus', '--to', 'milvus'], 'would read and write the same Milvus database'],
    [['--from', 'lance', '--to', 'lance'], 'needs --from-dir and --to-dir naming two different directories'],
    [['--from', 'lance', '--from-dir', 'a', '--to', 'lance', '--to-dir', './a'], 'needs --from-dir and --to-dir naming two different directories'],
    [['--from', 'milvus', '--from-dir', 'a', '--to', 'lance'], '--from-dir applies to --from lance only'],
    [['--from', 'lance', '--to', 'milvus', '--collections', 'a,,b'], '--collections "a,,b": expected names separated by commas'],
    [['--from', 'lance', '--to', 'milvus', '--sample=-1'], '--sample "-1": expected an integer from 0 to 100000'],
    [['--from', 'lance', '--to', 'milvus', '--sample', '-1'], "Option '--sample' argument is ambiguous"],
    [['--from', 'lance', '--to', 'milvus', '--sample', '1e3'], '--sample "1e3": expected an integer'],
    [['--from', 'lance', '--to', 'milvus', '--seed', 'x', '--sample', '100001'], '--sample "100001": expected an integer from 0 to 100000; --seed "x"'],
  ])('refuses %j', (argv, message) => {
    expect(problem(argv)).toContain(message);
  });
});
