import { isDeepStrictEqual } from 'node:util';
import { ClientError, Status } from 'nice-grpc';
import { rng } from '../../bench/lib/dataset';
import { rest, type ServiceProcess } from './service-process';

/**
 * The client side of the crash test: writers over both doors that remember every write the
 * service acknowledged, and the check after a restart that each of those writes is stored.
 *
 * Every id belongs to one writer, and a writer waits for each answer before its next request, so
 * an id has at most one write in flight when the process is killed: after the restart it must
 * hold its last acknowledged version, or that in-flight one. An id whose insert was never
 * acknowledged may be absent. Each version's content follows from its number, so a stored row
 * names the write it came from (`metadata.ver`).
 */
export const DIM = 8;
const WRITERS: { door: 'rest' | 'grpc' }[] = [{ door: 'rest' }, { door: 'grpc' }, { door: 'rest' }, { door: 'grpc' }];
const VERIFY_CONCURRENCY = 16;
/** Ids per read-back page (metadata.page); below the search topk bound of 1,024. */
const PAGE_IDS = 1000;

export function vectorOf(ver: number): number[] {
  const v = Array.from({ length: DIM }, (_, d) => Math.sin(ver * 0.731 + d * 1.37) + (d === ver % DIM ? 1.5 : 0));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

interface Written {
  id: string;
  vector: number[];
  metadata: Record<string, unknown>;
}

interface IdState {
  writer: number;
  /** Version stored as far as the client knows (acknowledged, or found after a restart); null: absent. */
  acked: number | null;
  /** Version sent without an answer yet. */
  inflight: number | null;
}

interface Batch {
  kind: 'insert' | 'upsert';
  records: Written[];
}

export interface RoundFigures {
  /** Requests acknowledged / records they carried. */
  ackedRequests: number;
  ackedRecords: number;
  /** Requests sent whose answer never came (in flight at the kill). */
  unanswered: number;
  /** Failures before the kill: each one is a problem. */
  problems: string[];
}

export interface VerifyResult {
  /** Ids ever written, ids stored, and the collection's vector_count. */
  ids: number;
  present: number;
  count: number;
  /** Unanswered writes found stored after the restart (committed, but killed before the answer). */
  unansweredLanded: number;
  problems: string[];
}

export class CrashLedger {
  private readonly versions = new Map<number, Written>();
  private readonly ids = new Map<string, IdState>();
  private readonly owned: string[][] = WRITERS.map(() => []);
  private unanswered: Batch[] = [];
  private nextVer = 1;
  private nextId = 1;

  constructor(
    readonly collection: string,
    private readonly seed: number,
  ) {}

  /** Ids the client expects to be stored. */
  get expected(): number {
    let n = 0;
    for (const s of this.ids.values()) if (s.acked !== null) n += 1;
    return n;
  }

  /**
   * Runs the writers until `killed()` turns true and their last requests have settled one way or
   * the other (call after the kill). `round` varies the seed so rounds write differently.
   */
  async write(svc: ServiceProcess, round: number, killed: () => boolean): Promise<RoundFigures> {
    const figures: RoundFigures = { ackedRequests: 0, ackedRecords: 0, unanswered: 0, problems: [] };
    await Promise.all(
      WRITERS.map(async ({ door }, w) => {
        const next = rng(this.seed * 1000 + round * 10 + w);
        while (!killed()) {
          const batch = this.nextBatch(w, round, door, next);
          try {
            await send(svc, this.collection, door, batch);
          } catch (cause) {
            if (killed()) {
              figures.unanswered += 1;
              this.unanswered.push(batch);
            } else {
              figures.problems.push(`writer ${w} (${door}) ${batch.kind} failed before the kill: ${cause instanceof Error ? cause.message : String(cause)}`);
              this.unanswered.push(batch);
            }
            return;
          }
          figures.ackedRequests += 1;
          figures.ackedRecords += batch.records.length;
          for (const r of batch.records) {
            const state = this.ids.get(r.id)!;
            if (state.acked === null) this.owned[w]!.push(r.id);
            state.acked = r.metadata.ver as number;
            state.inflight = null;
          }
        }
      }),
    );
    return figures;
  }

  /** Adds `count` acknowledged inserts of `per` records over gRPC (bulk data before an index build). */
  async bulk(svc: ServiceProcess, round: number, count: number, per = 1000): Promise<void> {
    for (let done = 0; done < count; done += per) {
      const batch = this.freshBatch(0, round, 'grpc', 'insert', Math.min(per, count - done));
      await send(svc, this.collection, 'grpc', batch);
      for (const r of batch.records) {
        const state = this.ids.get(r.id)!;
        state.acked = r.metadata.ver as number;
        state.inflight = null;
        this.owned[0]!.push(r.id);
      }
    }
  }

  /**
   * Reads back every id ever written and checks it against what was acknowledged; then takes what
   * is stored as the new truth (an unanswered write either landed or did not), so the next round
   * builds on it.
   */
  async verify(svc: ServiceProcess): Promise<VerifyResult> {
    const problems: string[] = [];
    const found = await this.readBack(svc);
    const stored = new Map<string, number | null>();
    const entries = [...this.ids.entries()];
    for (const [id, state] of entries) {
      const got = found.get(id);
      stored.set(id, got === undefined ? null : (got.metadata.ver as number));
      problems.push(...this.judge(id, state, got));
    }
    // Each write is all or nothing: the records of one unanswered request all landed or none did.
    let landedWrites = 0;
    for (const batch of this.unanswered) {
      const landed = batch.records.map((r) => stored.get(r.id) === r.metadata.ver);
      if (landed.every((l) => l)) landedWrites += 1;
      if (landed.some((l) => l !== landed[0])) problems.push(`unanswered ${batch.kind} of ${batch.records.map((r) => r.id).join(',')} landed in part: ${landed.join(',')}`);
    }
    let present = 0;
    for (const [id, ver] of stored) {
      const state = this.ids.get(id)!;
      if (ver !== null && state.acked === null) this.owned[state.writer]!.push(id);
      if (ver === null && state.acked !== null) this.owned[state.writer] = this.owned[state.writer]!.filter((o) => o !== id);
      state.acked = ver;
      state.inflight = null;
      if (ver !== null) present += 1;
    }
    this.unanswered = [];
    const stats = await svc.vectors.getCollectionStats({ name: this.collection });
    if (stats.vectorCount !== present) problems.push(`vector_count ${stats.vectorCount}, but ${present} ids are stored`);
    return { ids: entries.length, present, count: stats.vectorCount, unansweredLanded: landedWrites, problems };
  }

  /**
   * Every row the client ever wrote, read back a page at a time by a filtered search (a page
   * holds at most PAGE_IDS < topk ids, so it returns them all) to keep the check quick; ids a page
   * search did not return are then asked for one by one, so "missing" is GetByID's verdict.
   */
  private async readBack(svc: ServiceProcess): Promise<Map<string, Written>> {
    const found = new Map<string, Written>();
    const pages = new Set([...this.ids.keys()].map(pageOf));
    await inParallel([...pages], 2, async (page) => {
      const res = await svc.vectors.search({
        collectionName: this.collection,
        queryVector: vectorOf(0),
        options: { topk: PAGE_IDS + 24, includeVector: true, filter: { page } },
      });
      for (const hit of res.results) found.set(hit.id, { id: hit.id, vector: hit.vector, metadata: hit.metadata as Record<string, unknown> });
    });
    const rest = [...this.ids.keys()].filter((id) => !found.has(id));
    await inParallel(rest, VERIFY_CONCURRENCY, async (id) => {
      const got = await getById(svc, this.collection, id);
      if (got !== undefined) found.set(id, got);
    });
    return found;
  }

  /** A stored id (the middle one, so it is deterministic) for a search check. */
  sample(): { id: string; ver: number; vector: number[] } | undefined {
    const stored = [...this.ids.entries()].filter(([, s]) => s.acked !== null);
    const [id, state] = stored[Math.floor(stored.length / 2)] ?? [];
    if (id === undefined || state === undefined) return undefined;
    return { id, ver: state.acked!, vector: vectorOf(state.acked!) };
  }

  private judge(id: string, state: IdState, got: Written | undefined): string[] {
    const allowed = [state.acked, state.inflight].filter((v): v is number => v !== null);
    if (got === undefined) {
      return state.acked === null ? [] : [`acknowledged id ${id} (version ${state.acked}) is missing`];
    }
    const ver = got.metadata.ver as number;
    if (!allowed.includes(ver)) return [`id ${id} holds version ${ver}, expected ${allowed.length === 0 ? 'nothing' : allowed.join(' or ')}`];
    const sent = this.versions.get(ver)!;
    const problems: string[] = [];
    if (!isDeepStrictEqual(got.metadata, sent.metadata)) problems.push(`id ${id} version ${ver}: metadata ${JSON.stringify(got.metadata)} != ${JSON.stringify(sent.metadata)}`);
    const want = sent.vector.map((x) => Math.fround(x));
    if (!isDeepStrictEqual(got.vector.map((x) => Math.fround(x)), want)) problems.push(`id ${id} version ${ver}: vector differs`);
    return problems;
  }

  private nextBatch(w: number, round: number, door: 'rest' | 'grpc', next: () => number): Batch {
    const owned = this.owned[w]!;
    const size = 1 + Math.floor(next() * 6);
    if (owned.length === 0 || next() >= 0.4) return this.freshBatch(w, round, door, 'insert', size);
    const ids = new Set<string>();
    for (let i = 0; i < size; i += 1) ids.add(owned[Math.floor(next() * owned.length)]!);
    // Sometimes an upsert also creates an id.
    if (next() < 0.3) ids.add(this.newId(w));
    return { kind: 'upsert', records: [...ids].map((id) => this.version(id, w, round, door, 'upsert')) };
  }

  private freshBatch(w: number, round: number, door: 'rest' | 'grpc', kind: 'insert' | 'upsert', size: number): Batch {
    return { kind, records: Array.from({ length: size }, () => this.version(this.newId(w), w, round, door, kind)) };
  }

  private newId(w: number): string {
    const id = `w${w}-${this.nextId++}`;
    this.ids.set(id, { writer: w, acked: null, inflight: null });
    return id;
  }

  private version(id: string, w: number, round: number, door: string, kind: string): Written {
    const ver = this.nextVer++;
    const record = { id, vector: vectorOf(ver), metadata: { ver, page: pageOf(id), writer: w, round, door, kind, tag: `t${ver % 7}`, nested: { odd: ver % 2 === 1, label: `v-${ver}` } } };
    this.versions.set(ver, record);
    this.ids.get(id)!.inflight = ver;
    return record;
  }
}

async function send(svc: ServiceProcess, collection: string, door: 'rest' | 'grpc', batch: Batch): Promise<void> {
  if (door === 'grpc') {
    const request = { collectionName: collection, vectors: batch.records };
    await (batch.kind === 'insert' ? svc.vectors.insert(request) : svc.vectors.upsert(request));
    return;
  }
  const res = await rest(svc.baseUrl, batch.kind === 'insert' ? 'POST' : 'PUT', `/v1/collections/${collection}/vectors`, { vectors: batch.records });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(res.body)}`);
}

async function getById(svc: ServiceProcess, collection: string, id: string): Promise<Written | undefined> {
  try {
    const res = await svc.vectors.getByID({ collectionName: collection, id });
    const v = res.vector!;
    return { id: v.id, vector: v.vector, metadata: v.metadata as Record<string, unknown> };
  } catch (cause) {
    if (cause instanceof ClientError && cause.code === Status.NOT_FOUND) return undefined;
    throw cause;
  }
}

function pageOf(id: string): number {
  return Math.floor(Number(id.slice(id.indexOf('-') + 1)) / PAGE_IDS);
}

async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let cursor = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (cursor < items.length) await work(items[cursor++]!);
    }),
  );
}

/** A seeded point in [min, max) ms at which to kill the service in `round`. */
export function killPoint(seed: number, round: number, min = 50, max = 1500): number {
  return Math.floor(min + rng(seed * 7919 + round)() * (max - min));
}
