import { errors } from '../../../errors';
import { untilAborted } from '../../../domain';
import type { MilvusConnection } from './milvus-connection';
import { checkStatus } from './milvus-errors';

/**
 * Manual compaction: flush (seal the growing segments, so recent writes and deletes take part),
 * then compact and wait for the plans to finish. Both are polled, and the wait ends with the
 * caller's deadline (the compaction itself carries on in Milvus) or after `maxWaitMs`.
 */
export async function compactCollection(conn: MilvusConnection, name: string, signal: AbortSignal | undefined, maxWaitMs: number): Promise<void> {
  const context = { collection: name };
  const giveUpAt = Date.now() + maxWaitMs;
  const waitRound = async (delay: number): Promise<void> => {
    if (Date.now() > giveUpAt) throw errors.unavailable(`compaction of '${name}' did not finish within ${maxWaitMs} ms; it goes on in Milvus`);
    await untilAborted(new Promise((resolve) => setTimeout(resolve, delay)), signal);
  };

  const flushed = await conn.call(context, signal, (c, timeout) => c.flush({ collection_names: [name], timeout }));
  checkStatus(flushed.status, context);
  const segmentIDs = ((flushed.coll_segIDs as Record<string, { data?: unknown[] }> | undefined)?.[name]?.data ?? []).map(Number);
  if (segmentIDs.length > 0) {
    for (let delay = 50; ; delay = Math.min(delay * 1.5, 500)) {
      const state = await conn.call(context, signal, (c, timeout) => c.getFlushState({ segmentIDs, timeout }));
      checkStatus(state.status, context);
      if (state.flushed) break;
      await waitRound(delay);
    }
  }

  const started = await conn.call(context, signal, (c, timeout) => c.compact({ collection_name: name, timeout }));
  checkStatus(started.status, context);
  for (let delay = 50; ; delay = Math.min(delay * 1.5, 1000)) {
    const state = await conn.call(context, signal, (c, timeout) => c.getCompactionState({ compactionID: started.compactionID, timeout }));
    checkStatus(state.status, context);
    // The SDK reports enum names; a plan count of 0 is reported Completed at once.
    if (String(state.state) === 'Completed') return;
    await waitRound(delay);
  }
}
