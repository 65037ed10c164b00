/**
 * Every documented limit in one place (CONVENTIONS.md), checked once in the domain so both doors
 * answer alike. Transports may reject earlier (message size), never later.
 */
export const limits = {
  collectionName: /^[A-Za-z_][A-Za-z0-9_]{0,254}$/,
  minDimension: 1,
  maxDimension: 32768,
  maxDescriptionLength: 4096,
  /** Ids are 1..512 bytes of UTF-8. */
  maxIdBytes: 512,
  /** Vectors per Insert/Upsert and ids per Delete. */
  maxBatchSize: 10_000,
  /** Floats per write (10k × 1536-d); keeps one call under the 64 MiB message limit. */
  maxBatchFloats: 16 * 1024 * 1024,
  /** Serialized JSON size of one vector's metadata. */
  maxMetadataBytes: 64 * 1024,
  /**
   * Nesting of one vector's metadata (objects and arrays; the top object is level 1). Each level is
   * three protobuf messages (Struct, map entry, Value), and the common runtimes (C++, Python, Java,
   * ts-proto) refuse to decode past 100 nested messages: deeper metadata stored over REST could
   * not be read back over gRPC.
   */
  maxMetadataDepth: 20,
  /** Serialized JSON size of `index_params.params` (a handful of numbers in practice). */
  maxIndexParamsBytes: 4 * 1024,
  /** Serialized JSON size of a model config's `parameters` (saved in the registry file). */
  maxModelParametersBytes: 16 * 1024,
  minTopK: 1,
  maxTopK: 1024,
  /** Used when a search carries no options at all. */
  defaultTopK: 10,
  /** Records per ListVectors page: `page_size` 1..1000, 0 or absent meaning 100 (AIP-158). */
  defaultPageSize: 100,
  maxPageSize: 1000,
  /** Characters of a page token; real ones stay far below (a 512-byte id is at most ~4.2 KB once encoded). */
  maxPageTokenLength: 8192,
  filter: {
    maxDepth: 16,
    maxNodes: 1024,
    maxInValues: 1024,
    maxKeyBytes: 256,
    maxStringBytes: 4096,
  },
  /**
   * UTF-8 bytes of one record's text and of a text query. Milvus keeps text in a VARCHAR of at
   * most 65,535 bytes; half of that leaves room and is far above a passage's usual size.
   */
  maxTextBytes: 32 * 1024,
  /** Hits a search may rerank (a Rerank call's ceiling of documents). */
  maxRerankCandidates: 1000,
  /** Reciprocal Rank Fusion's k: 1..10,000 (60 by default). */
  maxRrfK: 10_000,
  /**
   * Bytes of one snapshot upload (either door). The upload is read a frame at a time, never held
   * whole, so this bounds the disk an import fills, not memory: 64 GiB is 10M × 1536-d records.
   */
  maxSnapshotBytes: 64 * 1024 * 1024 * 1024,
  /** gRPC and REST message size. */
  maxMessageBytes: 64 * 1024 * 1024,
} as const;
