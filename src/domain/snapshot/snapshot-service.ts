import { createHash, randomBytes } from 'node:crypto';
import { DomainError, errors, isDomainError } from '../../errors';
import { checkNotCancelled } from '../abort-signals';
import { limits } from '../limits';
import type { RecordChunkCodec } from '../ports/record-chunk-codec';
import type { Declaration, VectorStore } from '../ports/vector-store';
import { prepareRecords } from '../vector/vector-service';
import { checkCollectionName } from '../vector/vector-validation';
import type { CallOptions, CollectionInfo, CollectionSpec, VectorRecord } from '../vector/vector-types';
import { MAGIC, encodeFrame, readFrames, type Frame } from './snapshot-frames';
import { headerOf, parseTrailer, specOfHeader } from './snapshot-header';

export interface ImportSnapshotInput {
  /** The name to import under; '' or absent: the name in the snapshot's header. */
  collectionName?: string;
  /** Replace a collection of that name once the import verified; otherwise an existing name is ALREADY_EXISTS. */
  replace?: boolean;
}

export interface ImportDone {
  collection: string;
  records: number;
  message: string;
}

export interface SnapshotSettings {
  /** Bytes of vectors a chunk aims at; rows per chunk follow from the dimension (1..maxChunkRows). */
  chunkVectorBytes: number;
  maxChunkRows: number;
  /** The largest frame an import reads (a chunk of maxChunkRows rows with the largest metadata and texts fits). */
  maxFrameBytes: number;
  /** The largest file an import reads (limits.maxSnapshotBytes). */
  maxFileBytes: number;
}

export const DEFAULT_SNAPSHOT_SETTINGS: SnapshotSettings = {
  chunkVectorBytes: 2 * 1024 * 1024,
  maxChunkRows: 500,
  maxFrameBytes: limits.maxMessageBytes,
  maxFileBytes: limits.maxSnapshotBytes,
};

/** Collections an import fills before it commits by rename; the prefix says what they are in a listing. */
export const STAGING_PREFIX = '_snapshot_import_';

/**
 * Export and import of whole collections as portable files (snapshot-frames.ts has the layout).
 * Export pages through the store's keyset scan, one chunk at a time, so memory stays bounded
 * whatever the collection's size. Import fills a fresh staging collection and makes it visible
 * under its name by one rename only after every frame's checksum and the trailer verified; on any
 * failure the staging collection is dropped, so a broken or truncated file stores nothing.
 */
export class SnapshotService {
  constructor(
    private readonly store: VectorStore,
    private readonly codec: RecordChunkCodec,
    private readonly settings: SnapshotSettings = DEFAULT_SNAPSHOT_SETTINGS,
  ) {}

  /**
   * The snapshot's bytes, produced as the caller reads them. The collection is looked up before the
   * first byte, so an unknown one is a plain NOT_FOUND rather than a broken stream.
   */
  async exportCollection(name: string, options: CallOptions = {}): Promise<AsyncIterable<Uint8Array>> {
    checkCollectionName(name);
    checkNotCancelled(options);
    const info = await this.store.getCollection(name, options);
    return this.exportFrames(name, info, options);
  }

  private async *exportFrames(name: string, info: CollectionInfo, options: CallOptions): AsyncGenerator<Uint8Array> {
    const chain = createHash('sha256');
    const header = encodeFrame('header', json(headerOf(info, this.codec.format, Date.now())));
    chain.update(header.digest);
    yield MAGIC;
    yield header.bytes;
    const rows = Math.max(1, Math.min(this.settings.maxChunkRows, Math.floor(this.settings.chunkVectorBytes / (4 * info.dimension))));
    let afterId: string | null = null;
    let records = 0;
    let chunks = 0;
    for (;;) {
      const page = await this.store.scan(
        name,
        (declared) => {
          checkSameCollection(declared, info);
          return { filter: null, afterId, limit: rows, includeVector: true };
        },
        options,
      );
      if (page.length > 0) {
        const chunk = encodeFrame('chunk', this.codec.encode(page as VectorRecord[], info.dimension));
        chain.update(chunk.digest);
        records += page.length;
        chunks += 1;
        yield chunk.bytes;
      }
      if (page.length < rows) break;
      afterId = page[page.length - 1]!.id;
    }
    yield encodeFrame('trailer', json({ records, chunks, digest: chain.digest('hex') })).bytes;
  }

  /**
   * Reads a snapshot into a staging collection and renames it to its name once the trailer
   * verified. The name is checked first (ALREADY_EXISTS unless `replace`), then again by the rename.
   */
  async importSnapshot(input: ImportSnapshotInput, source: AsyncIterable<Uint8Array>, options: CallOptions = {}): Promise<ImportDone> {
    const wanted = input.collectionName === undefined || input.collectionName === '' ? null : input.collectionName;
    if (wanted !== null) checkCollectionName(wanted, 'collection_name');
    checkNotCancelled(options);
    const frames = readFrames(source, this.settings.maxFrameBytes, this.settings.maxFileBytes);
    const first = await frames.next();
    if (first.done || first.value.kind !== 'header') throw errors.invalidArgument('snapshot.frames[0]', 'must be the header frame (H)');
    const spec = specOfHeader(first.value.payload, wanted, this.store.supportedIndexTypes, this.codec.format);
    const replace = input.replace === true;
    if (!replace && (await this.store.hasCollection(spec.name, options))) throw errors.collectionExists(spec.name);

    const staging = `${STAGING_PREFIX}${randomBytes(8).toString('hex')}`;
    await this.store.createCollection({ ...spec, name: staging }, options);
    try {
      const records = await this.fill(staging, spec, first.value, frames, options);
      checkNotCancelled(options);
      if (replace && (await this.store.hasCollection(spec.name, options))) await this.store.dropCollection(spec.name, options);
      await this.store.renameCollection(staging, spec.name, options);
      return { collection: spec.name, records, message: `imported ${records} vectors into collection '${spec.name}'` };
    } catch (cause) {
      // Not under the caller's signal: a cancelled import must still clean up after itself.
      await this.store.dropCollection(staging).catch(() => undefined);
      throw cause;
    }
  }

  /** Stores every chunk into `staging` and verifies the trailer; returns the records stored. */
  private async fill(staging: string, spec: CollectionSpec, header: Frame, frames: AsyncGenerator<Frame>, options: CallOptions): Promise<number> {
    const chain = createHash('sha256').update(header.digest);
    const batch = Math.max(1, Math.min(limits.maxBatchSize, Math.floor(limits.maxBatchFloats / spec.dimension)));
    let records = 0;
    let chunks = 0;
    for (let index = 1; ; index++) {
      const next = await frames.next();
      if (next.done) throw errors.dataLoss('snapshot', 'ends before its trailer (truncated); nothing was stored');
      const frame = next.value;
      if (frame.kind === 'header') throw errors.invalidArgument(`snapshot.frames[${index}]`, 'a second header frame');
      if (frame.kind === 'trailer') {
        const trailer = parseTrailer(frame.payload);
        const digest = chain.digest('hex');
        if (trailer.records !== records || trailer.chunks !== chunks || trailer.digest !== digest) {
          throw errors.dataLoss('snapshot.trailer', `declares ${trailer.records} records in ${trailer.chunks} chunks (digest ${trailer.digest.slice(0, 16)}…), read ${records} in ${chunks} (digest ${digest.slice(0, 16)}…); nothing was stored`);
        }
        if (!(await frames.next()).done) throw errors.invalidArgument(`snapshot.frames[${index + 1}]`, 'bytes after the trailer frame');
        return records;
      }
      const field = `snapshot.chunks[${chunks}]`;
      let decoded: VectorRecord[];
      try {
        decoded = this.codec.decode(frame.payload, spec.dimension);
      } catch (cause) {
        throw new DomainError('INVALID_ARGUMENT', `${field}: not a chunk of ${spec.dimension}-dimension records (${this.codec.format})`, {
          violations: [{ field, message: `not a chunk of ${spec.dimension}-dimension records` }],
          cause,
        });
      }
      for (let start = 0; start < decoded.length; start += batch) {
        const part = decoded.slice(start, start + batch);
        await this.store
          .insert(staging, (declared) => prepareRecords(declared, part, false), options)
          .catch((cause: unknown) => {
            throw inChunk(cause, field, start);
          });
      }
      chain.update(frame.digest);
      records += decoded.length;
      chunks += 1;
    }
  }
}

/**
 * A record's violation named where it is in the file (`snapshot.chunks[3].vectors[17].vector`);
 * ALREADY_EXISTS from a fresh staging collection can only mean an id repeated in the file.
 */
function inChunk(cause: unknown, field: string, offset: number): unknown {
  if (!isDomainError(cause)) return cause;
  if (cause.code === 'ALREADY_EXISTS') return errors.invalidArgument(field, 'repeats ids of an earlier chunk; ids must be unique in a snapshot');
  if (cause.code !== 'INVALID_ARGUMENT') return cause;
  const rename = (f: string) => `${field}.${f.replace(/^vectors\[(\d+)\]/, (_, i: string) => `vectors[${Number(i) + offset}]`)}`;
  return errors.invalidArguments(cause.violations.map((v) => ({ field: rename(v.field), message: v.message })));
}

/** An export reads one collection: a drop and re-create of its name mid-way ends the stream. */
function checkSameCollection(declared: Declaration, info: CollectionInfo): void {
  if (declared.createdAt !== info.createdAt || declared.name !== info.name) {
    throw errors.failedPrecondition(`collection '${info.name}' was dropped or re-created during the export; export it again`);
  }
}

function json(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

