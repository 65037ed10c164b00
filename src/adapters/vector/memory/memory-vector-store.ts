import { errors } from '../../../errors';
import { bm25Scores } from './memory-bm25';
import {
  INDEX_TYPES,
  checkNotCancelled,
  compareHits,
  compareIds,
  matchesFilter,
  type AliasInfo,
  type FilterNode,
  type ListedRecord,
  type Plan,
  type ScanRequest,
  type CallOptions,
  type CollectionInfo,
  type CollectionSpec,
  type CollectionStats,
  type IndexSpec,
  type MetricType,
  type SearchHit,
  type SearchQuery,
  type StoreHealth,
  type TextQuery,
  type VectorRecord,
  type VectorStore,
  type WriteRecord,
} from '../../../domain';

interface MemoryCollection {
  info: CollectionInfo;
  rows: Map<string, VectorRecord>;
}

/**
 * The reference VectorStore: exact search over plain maps, no persistence. It defines the
 * expected answers the engine adapters are checked against (chroma's habit), and suits unit tests.
 */
export class MemoryVectorStore implements VectorStore {
  readonly engine = 'memory';
  readonly supportedIndexTypes = INDEX_TYPES;
  private readonly collections = new Map<string, MemoryCollection>();
  /** alias → collection name; no key is also a collection's name. */
  private readonly aliases = new Map<string, string>();
  private clock = 0;

  async health(): Promise<StoreHealth> {
    return { healthy: true, message: 'memory store ready' };
  }

  async close(): Promise<void> {
    this.collections.clear();
  }

  async createCollection(spec: CollectionSpec, options?: CallOptions): Promise<CollectionInfo> {
    live(options);
    if (this.collections.has(spec.name)) throw errors.collectionExists(spec.name);
    if (this.aliases.has(spec.name)) throw errors.nameTaken(spec.name, 'alias');
    const now = this.now();
    const info: CollectionInfo = { ...spec, createdAt: now, updatedAt: now };
    this.collections.set(spec.name, { info, rows: new Map() });
    return { ...info };
  }

  async dropCollection(name: string): Promise<void> {
    if (this.aliases.has(name)) throw errors.dropThroughAlias(name);
    this.get_(name);
    const naming = this.aliasesOf(name);
    if (naming.length > 0) throw errors.collectionHasAliases(name, naming);
    this.collections.delete(name);
  }

  async renameCollection(from: string, to: string, options?: CallOptions): Promise<void> {
    live(options);
    if (this.aliases.has(from)) throw errors.dropThroughAlias(from);
    const c = this.get_(from);
    const naming = this.aliasesOf(from);
    if (naming.length > 0) throw errors.collectionHasAliases(from, naming);
    if (this.collections.has(to)) throw errors.collectionExists(to);
    if (this.aliases.has(to)) throw errors.nameTaken(to, 'alias');
    this.collections.delete(from);
    this.collections.set(to, { ...c, info: { ...c.info, name: to } });
  }

  async hasCollection(name: string): Promise<boolean> {
    return this.collections.has(this.aliases.get(name) ?? name);
  }

  async listCollections(): Promise<string[]> {
    return [...this.collections.keys()].sort();
  }

  async getCollection(name: string): Promise<CollectionInfo> {
    return { ...this.get_(name).info };
  }

  async stats(name: string): Promise<CollectionStats> {
    const { rows, info } = this.get_(name);
    const sizeInBytes = [...rows.values()].reduce((n, r) => n + r.vector.length * 4 + JSON.stringify(r.metadata).length + r.id.length, 0);
    return { name: info.name, vectorCount: rows.size, sizeInBytes };
  }

  async createIndex(name: string, plan: Plan<IndexSpec>, options?: CallOptions): Promise<void> {
    live(options);
    const c = this.get_(name);
    const index = plan(c.info);
    c.info = { ...c.info, index, metricType: index.metricType, updatedAt: this.now() };
  }

  async dropIndex(name: string): Promise<void> {
    const c = this.get_(name);
    c.info = { ...c.info, index: null, updatedAt: this.now() };
  }

  async insert(name: string, plan: Plan<WriteRecord[]>, options?: CallOptions): Promise<void> {
    live(options);
    const c = this.get_(name);
    const records = plan(c.info);
    const taken = records.filter((r) => c.rows.has(r.id)).map((r) => r.id);
    if (taken.length > 0) throw errors.vectorsExist(name, taken);
    this.write(c, records);
  }

  async upsert(name: string, plan: Plan<WriteRecord[]>, options?: CallOptions): Promise<void> {
    live(options);
    const c = this.get_(name);
    this.write(c, plan(c.info));
  }

  async delete(name: string, ids: string[]): Promise<void> {
    const c = this.get_(name);
    ids.forEach((id) => c.rows.delete(id));
    c.info = { ...c.info, updatedAt: this.now() };
  }

  async get(name: string, ids: string[]): Promise<VectorRecord[]> {
    const c = this.get_(name);
    return ids.flatMap((id) => {
      const r = c.rows.get(id);
      return r ? [clone(r)] : [];
    });
  }

  /** Exact: every matching row is scored and ranked in the domain's order, ties by id. */
  async search(name: string, plan: Plan<SearchQuery>, options?: CallOptions): Promise<SearchHit[]> {
    live(options);
    const c = this.get_(name);
    const query = plan(c.info);
    const metric = c.info.metricType;
    const scored = [...c.rows.values()]
      .filter((r) => query.filter === null || matchesFilter(query.filter, r.metadata))
      .map((r): SearchHit & { row: VectorRecord } => ({ id: r.id, score: score(metric, query.vector, r.vector), metadata: r.metadata, row: r }));
    scored.sort(compareHits(metric));
    return scored.slice(0, query.topK).map(({ row, score: s }) => ({
      id: row.id,
      score: s,
      metadata: structuredClone(row.metadata),
      ...(row.text === undefined ? {} : { text: row.text }),
      ...(query.includeVector ? { vector: [...row.vector] } : {}),
    }));
  }

  /** BM25 over the matching rows' texts (memory-bm25.ts); rows scoring 0 are no match. */
  async searchText(name: string, plan: Plan<TextQuery>, options?: CallOptions): Promise<SearchHit[]> {
    live(options);
    const c = this.get_(name);
    const query = plan(c.info);
    const texts = new Map<string, string>();
    for (const r of c.rows.values()) {
      if (r.text !== undefined && (query.filter === null || matchesFilter(query.filter, r.metadata))) texts.set(r.id, r.text);
    }
    const hits = [...bm25Scores(query.text, texts)].map(([id, s]): SearchHit => {
      const row = c.rows.get(id)!;
      return { id, score: s, metadata: structuredClone(row.metadata), text: row.text!, ...(query.includeVector ? { vector: [...row.vector] } : {}) };
    });
    return hits.sort(compareHits('IP')).slice(0, query.topK);
  }

  async compact(name: string): Promise<void> {
    this.get_(name);
  }

  /** Every matching row sorted by id: the reference the engines' keyset scans are held to. */
  async scan(name: string, plan: Plan<ScanRequest>, options?: CallOptions): Promise<ListedRecord[]> {
    live(options);
    const c = this.get_(name);
    const request = plan(c.info);
    const after = request.afterId;
    return [...c.rows.values()]
      .filter((r) => (after === null || compareIds(r.id, after) > 0) && (request.filter === null || matchesFilter(request.filter, r.metadata)))
      .sort((a, b) => compareIds(a.id, b.id))
      .slice(0, request.limit)
      .map((r) => {
        const { vector, ...rest } = clone(r);
        return request.includeVector ? { ...rest, vector } : rest;
      });
  }

  async count(name: string, filter: FilterNode | null, options?: CallOptions): Promise<number> {
    live(options);
    const { rows } = this.get_(name);
    if (filter === null) return rows.size;
    let n = 0;
    for (const r of rows.values()) if (matchesFilter(filter, r.metadata)) n += 1;
    return n;
  }

  async createAlias(alias: string, collection: string, options?: CallOptions): Promise<void> {
    live(options);
    this.target(collection);
    if (this.aliases.has(alias)) throw errors.aliasExists(alias);
    if (this.collections.has(alias)) throw errors.nameTaken(alias, 'collection');
    this.aliases.set(alias, collection);
  }

  async alterAlias(alias: string, collection: string, options?: CallOptions): Promise<void> {
    live(options);
    this.target(collection);
    if (!this.aliases.has(alias)) throw errors.aliasNotFound(alias);
    this.aliases.set(alias, collection);
  }

  async dropAlias(alias: string, options?: CallOptions): Promise<void> {
    live(options);
    if (!this.aliases.delete(alias)) throw errors.aliasNotFound(alias);
  }

  async listAliases(collection: string | null, options?: CallOptions): Promise<AliasInfo[]> {
    live(options);
    const only = collection === null ? null : this.get_(collection).info.name;
    return [...this.aliases.entries()]
      .filter(([, target]) => only === null || target === only)
      .map(([alias, target]) => ({ alias, collection: target }))
      .sort((a, b) => compareIds(a.alias, b.alias));
  }

  /** An alias's target must be a collection: NOT_FOUND when nothing has the name, INVALID_ARGUMENT when an alias has it. */
  private target(collection: string): void {
    if (this.aliases.has(collection)) throw errors.aliasOfAlias(collection);
    this.get_(collection);
  }

  private aliasesOf(collection: string): string[] {
    return [...this.aliases.entries()].filter(([, target]) => target === collection).map(([alias]) => alias).sort(compareIds);
  }

  private write(c: MemoryCollection, records: WriteRecord[]): void {
    records.forEach((r) => c.rows.set(r.id, clone(r)));
    c.info = { ...c.info, updatedAt: this.now() };
  }

  /** The collection a name or an alias names. */
  private get_(name: string): MemoryCollection {
    const c = this.collections.get(this.aliases.get(name) ?? name);
    if (!c) throw errors.collectionNotFound(name);
    return c;
  }

  /** Strictly increasing milliseconds, so updatedAt moves on every change even within one ms. */
  private now(): number {
    this.clock = Math.max(Date.now(), this.clock + 1);
    return this.clock;
  }
}

/** Computed in float32 like the engines, so FLAT scores agree within 1e-4. */
export function score(metric: MetricType, a: readonly number[], b: readonly number[]): number {
  const fa = Float32Array.from(a);
  const fb = Float32Array.from(b);
  let dot = 0;
  let na = 0;
  let nb = 0;
  let l2 = 0;
  for (let i = 0; i < fa.length; i += 1) {
    const x = fa[i]!;
    const y = fb[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
    l2 += (x - y) * (x - y);
  }
  if (metric === 'IP') return dot;
  if (metric === 'L2') return l2;
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function clone(r: WriteRecord): VectorRecord {
  return { id: r.id, vector: Array.from(Float32Array.from(r.vector)), metadata: structuredClone(r.metadata), ...(r.text === undefined ? {} : { text: r.text }) };
}

function live(options?: CallOptions): void {
  checkNotCancelled(options);
}
