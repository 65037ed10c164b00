import { createChannel, createClient, type Channel } from 'nice-grpc';
import { VectorServiceDefinition, type VectorServiceClient } from '../../src/gen/taishang/ai/v1/vector_service';
import { openRawInsert } from './raw-insert';

const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** A nice-grpc client made from the same generated code the service serves (one HTTP/2 connection). */
export interface GrpcDoor {
  address: string;
  client: VectorServiceClient;
  /** Ids of the top-k hits of one search. */
  search(query: number[]): Promise<string[]>;
  close(): void;
}

export function openGrpcDoor(address: string, collection: string, topK: number): GrpcDoor {
  const channel: Channel = createChannel(address, undefined, {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  const client = createClient(VectorServiceDefinition, channel);
  return {
    address,
    client,
    async search(query) {
      const { results } = await client.search({
        collectionName: collection,
        queryVector: query,
        options: { topk: topK, includeVector: false, filter: undefined },
      });
      return results.map((r) => r.id);
    },
    close: () => channel.close(),
  };
}

/**
 * Inserts `vectors` in batches of `batch`, one call at a time, each request encoded as a fast
 * client encodes it (raw-insert.ts); returns the wall-clock seconds.
 */
export async function ingestOverGrpc(door: Pick<GrpcDoor, 'address'>, collection: string, vectors: readonly Float32Array[], batch: number): Promise<number> {
  const raw = openRawInsert(door.address);
  try {
    const started = process.hrtime.bigint();
    for (let from = 0; from < vectors.length; from += batch) {
      const slice = vectors.slice(from, from + batch);
      const ids = await raw.insert(collection, slice.map((_, i) => idOf(from + i)), slice, slice.map((_, i) => metadataOf(from + i)));
      if (ids.length !== slice.length) throw new Error(`insert at ${from} stored ${ids.length} of ${slice.length} vectors`);
    }
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    raw.close();
  }
}

/** Row `i`'s id, the same on every door and in the direct baseline. */
export function idOf(i: number): string {
  return `v${i}`;
}

/** A little metadata per vector, as real collections carry (the service also types it into a filter column). */
export function metadataOf(i: number): { seq: number } {
  return { seq: i };
}
