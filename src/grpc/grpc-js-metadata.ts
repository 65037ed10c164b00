import { Metadata as GrpcJsMetadata } from '@grpc/grpc-js';
import type { Metadata, MetadataValue } from 'nice-grpc';

/**
 * nice-grpc's Metadata interface read and written straight through to a grpc-js Metadata. nice-grpc
 * copies every call's metadata into its own map on the way in and back on the way out (header and
 * trailer); for a small unary call those copies were a visible share of its CPU, and a view needs
 * none. Keys are lower-cased and checked by grpc-js, as they would be when nice-grpc converts.
 */
export class GrpcJsMetadataView implements Metadata {
  constructor(readonly grpc: GrpcJsMetadata = new GrpcJsMetadata()) {}

  set<Key extends string>(key: Key, value: MetadataValue<Key> | Array<MetadataValue<Key>>): Metadata {
    this.grpc.remove(key);
    for (const one of Array.isArray(value) ? value : [value]) this.grpc.add(key, wireValue(one));
    return this;
  }

  append<Key extends string>(key: Key, value: MetadataValue<Key>): Metadata {
    this.grpc.add(key, wireValue(value));
    return this;
  }

  delete(key: string): void {
    this.grpc.remove(key);
  }

  get<Key extends string>(key: Key): MetadataValue<Key> | undefined {
    return this.grpc.get(key)[0] as MetadataValue<Key> | undefined;
  }

  getAll<Key extends string>(key: Key): Array<MetadataValue<Key>> {
    return this.grpc.get(key) as Array<MetadataValue<Key>>;
  }

  has(key: string): boolean {
    return this.grpc.get(key).length > 0;
  }

  isEmpty(): boolean {
    for (const _ in this.grpc.getMap()) return false;
    return true;
  }

  *[Symbol.iterator](): IterableIterator<[string, Array<string | Uint8Array>]> {
    for (const key of Object.keys(this.grpc.getMap())) yield [key, this.grpc.get(key)];
  }
}

/** grpc-js wants binary values as Buffers; a Buffer passes as is, other bytes are wrapped without a copy. */
function wireValue(value: string | Uint8Array): string | Buffer {
  if (typeof value === 'string' || Buffer.isBuffer(value)) return value;
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
