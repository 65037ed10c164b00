import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export type Engine = 'lance' | 'milvus';
const ENGINES: readonly Engine[] = ['lance', 'milvus'];

/** One side of a migration: an engine, and for LanceDB the DATA_DIR holding it (undefined: the config's). */
export interface StoreSide {
  engine: Engine;
  dataDir?: string;
}

/** `npm run migrate -- …` as read from its command line. */
export interface MigrateArgs {
  help: boolean;
  from: StoreSide;
  to: StoreSide;
  /** null: every collection of the source. */
  collections: string[] | null;
  replace: boolean;
  sample: number;
  seed: number;
}

export const DEFAULT_SAMPLE = 100;
export const DEFAULT_SEED = 13;
const MAX_SAMPLE = 100_000;

export const MIGRATE_USAGE = `usage: npm run migrate -- --from lance|milvus --to lance|milvus [options]

Moves collections, and the aliases naming them, between vector engines through snapshot export
and import, each verified by exact counts and a sample of records. Settings come from the
environment as for the service (DATA_DIR, MILVUS_*). Rerun after an interruption: collections
already moved are recognised and skipped, an import cut short left nothing but a staging
collection, which is dropped. Stop writes to the source first.

  --from ENGINE           the store to read: lance (in DATA_DIR) or milvus (MILVUS_* settings)
  --to ENGINE             the store to write
  --collections a,b       only these collections (default: all of the source's)
  --from-dir DIR          with --from lance: read this DATA_DIR instead of the configured one
  --to-dir DIR            with --to lance: write this DATA_DIR instead of the configured one
  --replace               overwrite a destination collection that differs from the source,
                          and switch a destination alias that names another collection
  --sample N              records compared one by one after the counts (default ${DEFAULT_SAMPLE}; 0: counts only)
  --seed N                seed of that sample (default ${DEFAULT_SEED})
  -h, --help              this text

Exit status: 0 when every collection and alias is at the destination and verified, 1 when any
is not, 2 for bad arguments or settings, 130 when interrupted (SIGINT/SIGTERM).`;

/** A command line that cannot run; the message says what to change. */
export class UsageError extends Error {}

/** Reads the command line (without node and the script); throws UsageError naming what is wrong. */
export function parseMigrateArgs(argv: readonly string[]): MigrateArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        collections: { type: 'string' },
        'from-dir': { type: 'string' },
        'to-dir': { type: 'string' },
        replace: { type: 'boolean' },
        sample: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (cause) {
    // node:util's own wording ("Unknown option '--x'"); not `instanceof Error`, which another realm (jest's) fails.
    const message = (cause as { message?: unknown } | null)?.message;
    throw new UsageError(typeof message === 'string' ? message : String(cause));
  }
  const help = values.help === true;
  const problems: string[] = [];
  const engine = (flag: 'from' | 'to'): Engine => {
    const raw = values[flag];
    if (raw === undefined) {
      if (!help) problems.push(`--${flag} is required (${ENGINES.join(' or ')})`);
      return 'lance';
    }
    if (!ENGINES.includes(raw as Engine)) problems.push(`--${flag} ${JSON.stringify(raw)}: expected ${ENGINES.join(' or ')}`);
    return raw as Engine;
  };
  const side = (flag: 'from' | 'to'): StoreSide => {
    const chosen = engine(flag);
    const dir = values[`${flag}-dir`] as string | undefined;
    if (dir === undefined) return { engine: chosen };
    if (dir === '') problems.push(`--${flag}-dir must not be empty`);
    if (chosen !== 'lance') problems.push(`--${flag}-dir applies to --${flag} lance only (Milvus is reached through MILVUS_HOST/MILVUS_PORT/MILVUS_DATABASE)`);
    return { engine: chosen, dataDir: dir };
  };
  const from = side('from');
  const to = side('to');
  if (problems.length === 0 && !help && from.engine === to.engine) {
    if (from.engine === 'milvus') problems.push('--from milvus --to milvus would read and write the same Milvus database (MILVUS_DATABASE)');
    else if (from.dataDir === undefined || to.dataDir === undefined || resolve(from.dataDir) === resolve(to.dataDir)) {
      problems.push('--from lance --to lance needs --from-dir and --to-dir naming two different directories');
    }
  }
  const collections = listOf(values.collections as string | undefined, problems);
  const sample = integer('--sample', values.sample as string | undefined, DEFAULT_SAMPLE, MAX_SAMPLE, problems);
  const seed = integer('--seed', values.seed as string | undefined, DEFAULT_SEED, 2 ** 32 - 1, problems);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  return { help, from, to, collections, replace: values.replace === true, sample, seed };
}

function listOf(raw: string | undefined, problems: string[]): string[] | null {
  if (raw === undefined) return null;
  const names = raw.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) problems.push(`--collections ${JSON.stringify(raw)}: expected names separated by commas (a,b)`);
  return names.filter((n) => n !== '');
}

function integer(flag: string, raw: string | undefined, fallback: number, max: number, problems: string[]): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > max) {
    problems.push(`${flag} ${JSON.stringify(raw)}: expected an integer from 0 to ${max}`);
    return fallback;
  }
  return Number(raw);
}
