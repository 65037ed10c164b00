import type { RowData } from '@zilliz/milvus2-sdk-node';
import type { CollectionInfo, VectorValues, WriteRecord } from '../../../domain';
import { errors } from '../../../errors';
import { FIELD, hasTextField } from './milvus-catalog';
import type { MilvusConnection, MilvusLogger } from './milvus-connection';
import { checkStatus } from './milvus-errors';
import { ID_CHUNK, idInExpr } from './milvus-filter-compiler';
import type { MilvusReads } from './milvus-reads';

/** The collection a write goes to, under its own name, and whether its rows carry `text`. */
export type WriteTarget = Pick<CollectionInfo, 'name' | 'embedding'>;

/** Estimated request bytes per engine write: well under the proxy's 64 MiB receive limit. */
const CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * Insert, Upsert and Delete. Writes to one collection run one at a time in this process, so
 * Insert's "check ids, then write" cannot interleave with another write of this replica (Milvus has
 * no conditional insert; replicas sharing a Milvus can still race, see docs/MILVUS.md).
 */
export class MilvusWrites {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly conn: MilvusConnection,
    private readonly reads: MilvusReads,
    private readonly logger: MilvusLogger,
  ) {}

  /** All or nothing: ALREADY_EXISTS naming the stored ids and nothing written, or every record written. */
  insert(target: WriteTarget, records: WriteRecord[], signal: AbortSignal | undefined): Promise<void> {
    const { name } = target;
    return this.serial(name, signal, async () => {
      const taken = await this.reads.existingIds(name, records.map((r) => r.id), signal);
      if (taken.length > 0) throw errors.vectorsExist(name, taken);
      const written: string[] = [];
      try {
        for (const chunk of byteChunks(records)) {
          await this.mutate('insert', target, chunk, signal);
          written.push(...chunk.map((r) => r.id));
        }
      } catch (cause) {
        // A batch split over several engine writes is undone when a later part fails.
        if (written.length > 0) {
          await this.deleteIds(name, written, undefined).catch((err: unknown) =>
            this.logger.error({ err, collection: name, ids: written.length }, 'could not undo a partly failed insert'),
          );
        }
        throw cause;
      }
    });
  }

  /** Overwrites whole records by id (a record without text clears the stored one); a retry after a failure is safe. */
  upsert(target: WriteTarget, records: WriteRecord[], signal: AbortSignal | undefined): Promise<void> {
    return this.serial(target.name, signal, async () => {
      for (const chunk of byteChunks(records)) await this.mutate('upsert', target, chunk, signal);
    });
  }

  delete(name: string, ids: string[], signal: AbortSignal | undefined): Promise<void> {
    return this.serial(name, signal, () => this.deleteIds(name, ids, signal));
  }

  /** Forgets the queue of a dropped collection. */
  forget(name: string): void {
    this.queues.delete(name);
  }

  private async deleteIds(name: string, ids: string[], signal: AbortSignal | undefined): Promise<void> {
    const context = { collection: name };
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const filter = idInExpr(ids.slice(i, i + ID_CHUNK));
      // deleteEntities sends the expression as is; the SDK's delete() first describes the collection, twice, to find its primary key.
      const res = await this.conn.call(context, signal, (c, timeout) => c.deleteEntities({ collection_name: name, filter, timeout }));
      checkStatus(res.status, context);
    }
  }

  private async mutate(kind: 'insert' | 'upsert', target: WriteTarget, records: WriteRecord[], signal: AbortSignal | undefined): Promise<void> {
    const { name } = target;
    const context = { collection: name };
    const withText = hasTextField(target);
    // No text is stored as '' (Milvus 2.3 has no nullable fields; milvus-catalog.ts).
    const data: RowData[] = records.map((r) => ({
      [FIELD.id]: r.id,
      [FIELD.vector]: plainNumbers(r.vector),
      [FIELD.metadata]: r.metadata,
      ...(withText ? { [FIELD.text]: r.text ?? '' } : {}),
    }));
    const res = await this.conn.call(context, signal, (c, timeout) =>
      kind === 'insert' ? c.insert({ collection_name: name, data, timeout }) : c.upsert({ collection_name: name, data, timeout }),
    );
    checkStatus(res.status, context);
    if (res.err_index.length > 0) throw errors.unavailable(`vector engine rejected ${res.err_index.length} of ${records.length} rows`);
  }

  /** Runs `work` after the collection's earlier writes; a caller that left while waiting is dropped. */
  private serial(name: string, signal: AbortSignal | undefined, work: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(name) ?? Promise.resolve();
    const next = previous.then(() => {
      if (signal?.aborted) throw errors.cancelled();
      return work();
    });
    const settled = next.catch(() => undefined);
    this.queues.set(name, settled);
    void settled.then(() => {
      if (this.queues.get(name) === settled) this.queues.delete(name);
    });
    return next;
  }
}

/** Splits a batch so that each engine write stays under CHUNK_BYTES (vectors as float32, JSON metadata, texts). */
function* byteChunks(records: WriteRecord[]): Generator<WriteRecord[]> {
  let chunk: WriteRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = r.vector.length * 4 + Buffer.byteLength(JSON.stringify(r.metadata)) + Buffer.byteLength(r.id) + Buffer.byteLength(r.text ?? '') + 64;
    if (chunk.length > 0 && bytes + size > CHUNK_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(r);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

/** The SDK builds its request from plain arrays. */
function plainNumbers(vector: VectorValues): number[] {
  return vector instanceof Float32Array ? Array.from(vector) : (vector as number[]);
}
