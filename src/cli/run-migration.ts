import { isDomainError } from '../errors';
import type { AliasOutcome, CollectionMigrator, Comparison, MigrationOutcome } from '../domain';
import type { MigrateArgs } from './migrate-args';

/** How each side is described in the first line (engine and where it is). */
export interface Endpoints {
  from: string;
  to: string;
}

/** Exit statuses, as MIGRATE_USAGE states them (130: interrupted, as shells report SIGINT). */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/**
 * The migrate command: resolves the collections, drops a killed run's staging leftovers, moves
 * each collection in name order (one failing does not stop the others), then the source's aliases
 * of those that arrived; prints a line for each and a summary, and returns the exit status. A
 * cancelled run stops at once; the import under way drops its staging collection on its way out.
 */
export async function runMigration(migrator: CollectionMigrator, args: MigrateArgs, endpoints: Endpoints, print: (line: string) => void, signal?: AbortSignal): Promise<number> {
  const started = Date.now();
  let names: string[];
  try {
    names = await migrator.collections(args.collections, { signal });
  } catch (cause) {
    print(`migrate: ${describeError(cause)}`);
    return isDomainError(cause) && cause.code === 'INVALID_ARGUMENT' ? EXIT.usage : EXIT.failed;
  }
  print(`migrating ${plural(names.length, 'collection')} from ${endpoints.from} to ${endpoints.to}${names.length > 0 ? `: ${names.join(', ')}` : ''}`);
  try {
    for (const leftover of await migrator.dropLeftovers({ signal })) print(`dropped ${leftover} at the destination: the staging collection of an interrupted import`);
  } catch (cause) {
    print(`migrate: could not list or drop staging leftovers at the destination: ${describeError(cause)}`);
    return signal?.aborted ? EXIT.interrupted : EXIT.failed;
  }

  const tally = { moved: 0, already: 0, failed: 0 };
  const arrived: string[] = [];
  for (const name of names) {
    let outcome: MigrationOutcome;
    try {
      outcome = await migrator.migrate(name, { signal });
    } catch (cause) {
      if (signal?.aborted) {
        print(`${name}: interrupted before it was verified; rerun to finish (an import cut short stores nothing)`);
        return EXIT.interrupted;
      }
      tally.failed += 1;
      print(`${name}: FAILED: ${describeError(cause)}`);
      continue;
    }
    print(describeOutcome(outcome));
    if (outcome.status === 'migrated' || outcome.status === 'replaced') tally.moved += 1;
    else if (outcome.status === 'already-migrated') tally.already += 1;
    else tally.failed += 1;
    if (outcome.status !== 'differs' && outcome.status !== 'mismatch') arrived.push(name);
  }

  // Aliases last, once their collections are there: an alias can only name a collection that exists.
  const aliases = { done: 0, failed: 0 };
  try {
    for (const alias of await migrator.aliasesOf(arrived, { signal })) {
      try {
        const outcome = await migrator.migrateAlias(alias, { signal });
        print(describeAlias(outcome));
        if (outcome.status === 'differs') aliases.failed += 1;
        else aliases.done += 1;
      } catch (cause) {
        if (signal?.aborted) {
          print(`alias ${alias.alias}: interrupted; rerun to finish`);
          return EXIT.interrupted;
        }
        aliases.failed += 1;
        print(`alias ${alias.alias}: FAILED: ${describeError(cause)}`);
      }
    }
  } catch (cause) {
    if (signal?.aborted) return EXIT.interrupted;
    aliases.failed += 1;
    print(`aliases: FAILED: could not list the source's aliases: ${describeError(cause)}`);
  }

  const failed = tally.failed + aliases.failed > 0;
  const aliasPart = aliases.done + aliases.failed > 0 ? `; ${plural(aliases.done, 'alias', 'aliases')} in place, ${aliases.failed} failed` : '';
  print(`${failed ? 'FAILED' : 'done'}: ${tally.moved} migrated, ${tally.already} already at the destination, ${tally.failed} failed, of ${plural(names.length, 'collection')}${aliasPart} in ${seconds(Date.now() - started)}`);
  return failed ? EXIT.failed : EXIT.ok;
}

/** One line per alias of a moved collection. */
export function describeAlias(outcome: AliasOutcome): string {
  const { alias, collection } = outcome;
  switch (outcome.status) {
    case 'created':
      return `alias ${alias} → ${collection}: created at the destination`;
    case 'already':
      return `alias ${alias} → ${collection}: already at the destination`;
    case 'moved':
      return `alias ${alias} → ${collection}: switched at the destination (it named '${outcome.before}')`;
    case 'differs':
      return `alias ${alias}: FAILED: at the destination it names '${outcome.before}', not '${collection}'; left as it is. Rerun with --replace to switch it`;
  }
}

/** One line per collection; failures start with `NAME: FAILED:` and say what to do. */
export function describeOutcome(outcome: MigrationOutcome): string {
  const { collection: name, comparison: c } = outcome;
  switch (outcome.status) {
    case 'migrated':
      return `${name}: migrated ${plural(outcome.records, 'record')} in ${seconds(outcome.ms)}; verified: ${verified(c)}`;
    case 'replaced':
      return `${name}: replaced the differing copy at the destination with ${plural(outcome.records, 'record')} in ${seconds(outcome.ms)}; verified: ${verified(c)}`;
    case 'already-migrated':
      return `${name}: already at the destination (${verified(c)}); skipped`;
    case 'differs':
      return `${name}: FAILED: the destination has a different collection '${name}' (${c.differences.join('; ')}); left as it is. Rerun with --replace to overwrite it`;
    case 'mismatch':
      return `${name}: FAILED: imported ${plural(outcome.records, 'record')}, but the copy differs from the source (${c.differences.join('; ')}); was the source written meanwhile? Stop writes to it and rerun with --replace`;
  }
}

function verified(c: Comparison): string {
  const sample = c.sampled === 0 ? 'no records sampled' : `${plural(c.sampled, 'sampled record')} equal`;
  return `count ${c.sourceCount} = ${c.destinationCount}, ${sample}`;
}

function describeError(cause: unknown): string {
  if (isDomainError(cause)) {
    const inner = cause.cause instanceof Error ? ` (${cause.cause.message})` : '';
    return `${cause.message} [${cause.code}]${inner}`;
  }
  return cause instanceof Error ? cause.message : String(cause);
}

function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
