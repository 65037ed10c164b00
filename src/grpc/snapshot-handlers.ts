import type { SnapshotService } from '../domain';
import type { ImportSnapshotRequest, VectorServiceImplementation } from '../gen/taishang/ai/v1/vector_service';

/** gRPC messages carry at most this much of a snapshot: well under any client's message limit. */
const PIECE_BYTES = 1024 * 1024;

/** ExportSnapshot (server-streaming) and ImportSnapshot (client-streaming): bytes in, bytes out. */
export function snapshotHandlers(snapshots: SnapshotService): Pick<VectorServiceImplementation, 'exportSnapshot' | 'importSnapshot'> {
  return {
    async *exportSnapshot(req, { signal }) {
      for await (const piece of await snapshots.exportCollection(req.collectionName, { signal })) {
        const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.length);
        for (let at = 0; at < bytes.length; at += PIECE_BYTES) yield { data: bytes.subarray(at, at + PIECE_BYTES) };
      }
    },

    async importSnapshot(requests, { signal }) {
      const it = requests[Symbol.asyncIterator]();
      const first = await it.next();
      const head: ImportSnapshotRequest | undefined = first.done ? undefined : first.value;
      const done = await snapshots.importSnapshot({ collectionName: head?.collectionName, replace: head?.replace }, dataOf(head, it), { signal });
      return { success: true, message: done.message, collectionName: done.collection, recordCount: done.records };
    },
  };
}

async function* dataOf(head: ImportSnapshotRequest | undefined, rest: AsyncIterator<ImportSnapshotRequest>): AsyncGenerator<Uint8Array> {
  if (head === undefined) return;
  yield head.data;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value.data;
}
