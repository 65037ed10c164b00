import { LoadState } from '@zilliz/milvus2-sdk-node';
import { errors, type DomainError } from '../../../errors';
import { FIELD } from './milvus-catalog';
import { untilAborted } from '../../../domain';
import type { MilvusConnection } from './milvus-connection';
import { checkStatus, isSuccess, type EngineStatus } from './milvus-errors';
import type { EngineIndex } from './milvus-index-mapping';

/**
 * Index and load management. Milvus searches and queries only loaded collections, loads only
 * indexed vector fields, keeps one index per field, and drops an index only from a released
 * collection; so every index change is release → drop → create → load, and a read that finds the
 * collection unloaded (after a restart, or mid-reindex on another replica) repairs it and retries.
 */
export class MilvusLoader {
  constructor(
    private readonly conn: MilvusConnection,
    /** How long a load may take when the caller set no deadline. */
    private readonly loadTimeoutMs: number,
  ) {}

  /** Loads the collection and waits until it serves reads (polled: the SDK's own wait sleeps 400 ms a round). */
  async load(name: string, signal: AbortSignal | undefined): Promise<void> {
    const context = { collection: name };
    const started = await this.conn.call(context, signal, (c, timeout) => c.loadCollectionAsync({ collection_name: name, timeout }));
    checkStatus(started, context);
    const giveUpAt = Date.now() + this.loadTimeoutMs;
    for (let delay = 20; ; delay = Math.min(delay * 1.5, 250)) {
      const res = await this.conn.call(context, signal, (c, timeout) => c.getLoadState({ collection_name: name, timeout }));
      checkStatus(res.status, context);
      if (res.state === LoadState.LoadStateLoaded) return;
      if (res.state === LoadState.LoadStateNotExist) await this.checkExists(name, signal);
      if (Date.now() > giveUpAt) throw errors.unavailable(`collection '${name}' is still loading in Milvus`);
      await sleep(delay, signal);
    }
  }

  /**
   * Milvus's proxy answers GetLoadState with NotExist whenever it fails to resolve the name, a busy
   * root coordinator's timeout included (the likely cause of a snapshot import failing NOT_FOUND
   * on its fresh staging collection in CI), so NotExist means NOT_FOUND only once HasCollection,
   * which reports such failures as failures, agrees; otherwise the poll goes on.
   */
  private async checkExists(name: string, signal: AbortSignal | undefined): Promise<void> {
    if (!(await this.exists(name, signal))) throw errors.collectionNotFound(name);
  }

  /** HasCollection: false for a missing collection, an error for a failure to tell. */
  async exists(name: string, signal: AbortSignal | undefined): Promise<boolean> {
    const res = await this.conn.call({ collection: name }, signal, (c, timeout) => c.hasCollection({ collection_name: name, timeout }));
    checkStatus(res.status);
    return res.value === true;
  }

  async release(name: string, signal: AbortSignal | undefined): Promise<void> {
    const context = { collection: name };
    checkStatus(await this.conn.call(context, signal, (c, timeout) => c.releaseCollection({ collection_name: name, timeout })), context);
  }

  /** True when the vector field has an index (built or building). */
  async hasEngineIndex(name: string, signal: AbortSignal | undefined): Promise<boolean> {
    const context = { collection: name };
    const res = await this.conn.call(context, signal, (c, timeout) => c.describeIndex({ collection_name: name, field_name: FIELD.vector, timeout }));
    if (isIndexMissing(res.status)) return false;
    checkStatus(res.status, context);
    return res.index_descriptions.length > 0;
  }

  async createEngineIndex(name: string, index: EngineIndex, signal: AbortSignal | undefined): Promise<void> {
    const context = { collection: name, indexParams: true };
    const res = await this.conn.call(context, signal, (c, timeout) =>
      c.createIndex({ collection_name: name, field_name: FIELD.vector, index_name: FIELD.vector, ...index, timeout }),
    );
    checkStatus(res, context);
  }

  /**
   * Swaps the engine index, waits until Milvus has built it over every sealed row, then loads; the
   * collection is unsearchable in between. Milvus's CreateIndex returns before the build (it then
   * reports the index Finished with every row still pending), and a collection loaded before the
   * build serves those rows from raw data until Milvus swaps the segments later: waiting first
   * makes the first search after CreateIndex go through the index.
   */
  async replaceIndex(name: string, index: EngineIndex, signal: AbortSignal | undefined): Promise<void> {
    const context = { collection: name };
    await this.release(name, signal);
    if (await this.hasEngineIndex(name, signal)) {
      const dropped = await this.conn.call(context, signal, (c, timeout) => c.dropIndex({ collection_name: name, field_name: FIELD.vector, timeout }));
      if (!isIndexMissing(dropped)) checkStatus(dropped, context);
    }
    await this.createEngineIndex(name, index, signal);
    await this.waitIndexBuilt(name, signal);
    await this.load(name, signal);
  }

  /**
   * Polls until Milvus reports the vector index Finished over every sealed row: DescribeIndex's
   * indexed rows = its total rows = the rows of the sealed segments GetPersistentSegmentInfo lists,
   * none pending. Both are needed: right after CreateIndex (and while a just-sealed segment is not
   * yet flushed) DescribeIndex reports Finished over 0 of 0 rows, then the sealed rows as pending.
   * Growing segments are searched without the index, by Milvus's design, so they are not waited for.
   * Ends with the caller's signal or after the long-wait bound; the build goes on in Milvus either
   * way, and the next read loads the collection (`repair`).
   */
  async waitIndexBuilt(name: string, signal: AbortSignal | undefined): Promise<void> {
    const context = { collection: name };
    const started = Date.now();
    for (let delay = 50; ; delay = Math.min(delay * 1.5, 1000)) {
      const sealed = await this.sealedRows(name, signal);
      const res = await this.conn.call(context, signal, (c, timeout) => c.describeIndex({ collection_name: name, field_name: FIELD.vector, timeout }));
      checkStatus(res.status, context);
      const index = res.index_descriptions.find((d) => d.field_name === FIELD.vector) ?? res.index_descriptions[0];
      if (index === undefined) throw errors.unavailable(`the vector index of collection '${name}' disappeared from Milvus while it was being built`);
      const progress = buildProgress(index);
      if (progress.state === 'Failed') {
        throw errors.unavailable(`Milvus failed to build the vector index of collection '${name}': ${progress.failReason || 'no reason given'}`);
      }
      if (progress.state === 'Finished' && progress.pending === 0 && progress.indexed === progress.total && progress.total >= sealed) return;
      if (Date.now() - started > this.loadTimeoutMs) {
        throw errors.unavailable(
          `the vector index of collection '${name}' is still building in Milvus after ${Math.round((Date.now() - started) / 1000)} s (${progress.indexed} of ${Math.max(sealed, progress.total)} rows indexed); the build goes on there`,
        );
      }
      await sleep(delay, signal);
    }
  }

  /** Rows in the collection's sealed segments (sealed, flushing or flushed: the ones Milvus indexes). */
  private async sealedRows(name: string, signal: AbortSignal | undefined): Promise<number> {
    const context = { collection: name };
    const res = await this.conn.call(context, signal, (c, timeout) => c.getPersistentSegmentInfo({ collectionName: name, timeout }));
    checkStatus(res.status, context);
    return res.infos.filter((s) => SEALED_STATES.has(String(s.state))).reduce((sum, s) => sum + Number(s.num_rows), 0);
  }

  /** After a read failed because the collection was not loaded: index it if it lost its index, then load. */
  async repair(name: string, index: () => Promise<EngineIndex>, signal: AbortSignal | undefined): Promise<void> {
    if (!(await this.hasEngineIndex(name, signal))) await this.createEngineIndex(name, await index(), signal);
    await this.load(name, signal);
  }
}

/** A read that failed for want of a loaded collection or of an index, which `repair` fixes. */
export function needsRepair(error: DomainError): boolean {
  if (error.code !== 'UNAVAILABLE') return false;
  const cause = error.cause as EngineStatus | Error | undefined;
  const status = cause instanceof Error ? undefined : cause;
  const text = `${status?.reason ?? ''} ${cause instanceof Error ? cause.message : ''}`;
  return status?.code === 101 || status?.code === 103 || status?.code === 700 || /not loaded|index not (found|exist)|IndexNotExist/i.test(text);
}

/** DescribeIndex's progress fields (int64 counts may arrive as strings). */
function buildProgress(index: { state?: unknown; indexed_rows?: unknown; total_rows?: unknown; pending_index_rows?: unknown; index_state_fail_reason?: unknown }): {
  state: string;
  indexed: number;
  total: number;
  pending: number;
  failReason: string;
} {
  return {
    state: String(index.state ?? ''),
    indexed: Number(index.indexed_rows ?? 0),
    total: Number(index.total_rows ?? 0),
    pending: Number(index.pending_index_rows ?? 0),
    failReason: String(index.index_state_fail_reason ?? ''),
  };
}

function isIndexMissing(status: EngineStatus): boolean {
  return !isSuccess(status) && (status.code === 700 || status.error_code === 'IndexNotExist' || /index not (found|exist)/i.test(status.reason ?? ''));
}

const SEALED_STATES = new Set(['Sealed', 'Flushing', 'Flushed']);

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return untilAborted(new Promise((resolve) => setTimeout(resolve, ms)), signal);
}
