import { isDeepStrictEqual } from 'node:util';
import type { VectorStore } from '../ports/vector-store';
import type { CallOptions, CollectionInfo, VectorRecord } from '../vector/vector-types';
import { seededRandom } from '../seeded-random';

/** How a collection at the destination compares with the source's of the same name. */
export interface Comparison {
  equal: boolean;
  sourceCount: number;
  destinationCount: number;
  /** Records compared one by one. */
  sampled: number;
  /** What differs, worded for a person (at most MAX_DIFFERENCES, then a count of the rest). */
  differences: string[];
}

export interface SampleSettings {
  sample: number;
  seed: number;
}

const MAX_DIFFERENCES = 5;
const SCAN_PAGE = 1000;
/** What a collection declares that a copy must keep; createdAt/updatedAt belong to each copy. */
const DECLARED = ['dimension', 'metricType', 'index', 'embedding', 'description'] as const;

/**
 * Compares a collection on two stores: the declaration, the exact counts, then a seeded sample of
 * the source's records read from both sides by id, each equal in id, vector (every float bit for
 * bit: both engines store float32), metadata and text. Equal counts and an equal sample are what
 * "already migrated" and "verified" mean; a full comparison would read everything twice more.
 */
export async function compareCollections(source: VectorStore, destination: VectorStore, name: string, settings: SampleSettings, options: CallOptions = {}): Promise<Comparison> {
  const [from, to] = await Promise.all([source.getCollection(name, options), destination.getCollection(name, options)]);
  const differences = declarationDifferences(from, to);
  const [sourceCount, destinationCount] = await Promise.all([source.count(name, null, options), destination.count(name, null, options)]);
  if (sourceCount !== destinationCount) differences.push(`count: ${sourceCount} at the source, ${destinationCount} at the destination`);
  const ids = settings.sample > 0 ? await sampleIds(source, name, settings, options) : [];
  if (ids.length > 0) {
    const [want, got] = await Promise.all([source.get(name, ids, options), destination.get(name, ids, options)]);
    const found = new Map(got.map((r) => [r.id, r]));
    for (const record of want) {
      const copy = found.get(record.id);
      if (copy === undefined) differences.push(`record '${record.id}': missing at the destination`);
      else {
        const fields = recordDifferences(record, copy);
        if (fields.length > 0) differences.push(`record '${record.id}': ${fields.join(', ')} differ${fields.length === 1 ? 's' : ''}`);
      }
    }
  }
  const shown = differences.slice(0, MAX_DIFFERENCES);
  if (differences.length > MAX_DIFFERENCES) shown.push(`and ${differences.length - MAX_DIFFERENCES} more`);
  return { equal: differences.length === 0, sourceCount, destinationCount, sampled: ids.length, differences: shown };
}

function declarationDifferences(from: CollectionInfo, to: CollectionInfo): string[] {
  return DECLARED.filter((key) => !isDeepStrictEqual(from[key], to[key])).map(
    (key) => `${key}: ${JSON.stringify(from[key])} at the source, ${JSON.stringify(to[key])} at the destination`,
  );
}

function recordDifferences(a: VectorRecord, b: VectorRecord): string[] {
  const fields: string[] = [];
  if (a.vector.length !== b.vector.length || a.vector.some((v, i) => !Object.is(v, b.vector[i]))) fields.push('vector');
  if (!isDeepStrictEqual(a.metadata, b.metadata)) fields.push('metadata');
  if (a.text !== b.text) fields.push('text');
  return fields;
}

/**
 * Up to `sample` ids chosen uniformly from the source's keyset scan (reservoir sampling, Vitter's
 * algorithm R) with a seeded generator: the same seed over the same collection picks the same ids,
 * and memory holds the sample, never the id list.
 */
async function sampleIds(store: VectorStore, name: string, { sample, seed }: SampleSettings, options: CallOptions): Promise<string[]> {
  const random = seededRandom(seed);
  const reservoir: string[] = [];
  let seen = 0;
  let afterId: string | null = null;
  for (;;) {
    const page = await store.scan(name, () => ({ filter: null, afterId, limit: SCAN_PAGE, includeVector: false }), options);
    for (const { id } of page) {
      if (reservoir.length < sample) reservoir.push(id);
      else {
        const slot = Math.floor(random() * (seen + 1));
        if (slot < sample) reservoir[slot] = id;
      }
      seen += 1;
    }
    if (page.length < SCAN_PAGE) return reservoir;
    afterId = page[page.length - 1]!.id;
  }
}
