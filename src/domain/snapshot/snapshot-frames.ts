import { createHash } from 'node:crypto';
import { errors } from '../../errors';

/**
 * A snapshot's outer layout (docs/API.md, "Snapshots"):
 *
 *   file  = MAGIC frame*          MAGIC = "TSSNAP" 0x00 0x01 (format version 1)
 *   frame = kind:u8 length:u32be payload[length] sha256(kind ‖ length ‖ payload)[32]
 *
 * with kinds H (header, JSON), C (a chunk of records, an Arrow IPC stream) and T (trailer, JSON), in
 * the order H C* T and nothing after T. Each frame carries its own checksum, so a damaged byte is
 * found in the chunk that holds it, before any of that chunk is stored.
 */
export const MAGIC = Uint8Array.from([0x54, 0x53, 0x53, 0x4e, 0x41, 0x50, 0x00, 0x01]);
export const FRAME_KIND = { header: 0x48, chunk: 0x43, trailer: 0x54 } as const;
export type FrameKind = keyof typeof FRAME_KIND;
const KIND_OF = new Map<number, FrameKind>(Object.entries(FRAME_KIND).map(([k, v]) => [v, k as FrameKind]));
const PREFIX_BYTES = 5;
const DIGEST_BYTES = 32;

export interface Frame {
  kind: FrameKind;
  payload: Uint8Array;
  /** The frame's sha256 as stored (and verified). */
  digest: Uint8Array;
}

/** One frame's bytes and its checksum (what the trailer's digest chains). */
export function encodeFrame(kind: FrameKind, payload: Uint8Array): { bytes: Uint8Array; digest: Uint8Array } {
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.writeUInt8(FRAME_KIND[kind], 0);
  prefix.writeUInt32BE(payload.length, 1);
  const digest = createHash('sha256').update(prefix).update(payload).digest();
  return { bytes: Buffer.concat([prefix, payload, digest]), digest };
}

/**
 * Reads frames off a byte stream holding at most one frame (of at most `maxFrameBytes`) and what
 * came with its last piece: a snapshot of any size is read in bounded memory. A stream that ends
 * inside a frame is DATA_LOSS (truncated), as is a frame whose checksum does not match; bytes that
 * are not a snapshot at all are INVALID_ARGUMENT naming `snapshot`.
 */
export async function* readFrames(source: AsyncIterable<Uint8Array>, maxFrameBytes: number, maxTotalBytes: number): AsyncGenerator<Frame> {
  const bytes = new ByteQueue(source, maxTotalBytes);
  const magic = await bytes.take(MAGIC.length);
  if (magic === null || !Buffer.from(magic).equals(MAGIC)) {
    throw errors.invalidArgument('snapshot', 'not a snapshot of this service (the file must begin with "TSSNAP" and format version 1)');
  }
  for (let index = 0; ; index++) {
    const prefix = await bytes.take(PREFIX_BYTES, index);
    if (prefix === null) return;
    const kind = KIND_OF.get(prefix[0]!);
    const length = Buffer.from(prefix).readUInt32BE(1);
    if (kind === undefined) throw errors.invalidArgument(`snapshot.frames[${index}]`, `unknown frame kind 0x${prefix[0]!.toString(16)}; expected H, C or T`);
    if (length > maxFrameBytes) throw errors.invalidArgument(`snapshot.frames[${index}]`, `frame of ${length} bytes; at most ${maxFrameBytes}`);
    const payload = await bytes.take(length, index);
    const digest = await bytes.take(DIGEST_BYTES, index);
    if (payload === null || digest === null) throw truncated(index);
    const actual = createHash('sha256').update(prefix).update(payload).digest();
    if (!actual.equals(digest)) throw errors.dataLoss(`snapshot.frames[${index}]`, 'checksum mismatch: the frame was damaged in transit or storage; nothing was stored');
    yield { kind, payload, digest };
  }
}

function truncated(index: number) {
  return errors.dataLoss(`snapshot.frames[${index}]`, 'the snapshot ends inside this frame (truncated); nothing was stored');
}

/** Exactly-n reads over a stream of pieces, keeping only the bytes not yet taken. */
class ByteQueue {
  private readonly it: AsyncIterator<Uint8Array>;
  private pieces: Buffer[] = [];
  private held = 0;
  private ended = false;
  private total = 0;

  constructor(
    source: AsyncIterable<Uint8Array>,
    private readonly maxTotalBytes: number,
  ) {
    this.it = source[Symbol.asyncIterator]();
  }

  /**
   * The next `n` bytes; null when the stream ended before any of them (a clean end between frames,
   * which the caller judges); DATA_LOSS when it ended part-way.
   */
  async take(n: number, frame?: number): Promise<Uint8Array | null> {
    while (this.held < n && !this.ended) {
      const next = await this.it.next();
      if (next.done) this.ended = true;
      else if (next.value.length > 0) {
        this.total += next.value.length;
        if (this.total > this.maxTotalBytes) throw errors.tooLarge('snapshot', `more than ${this.maxTotalBytes} bytes; nothing was stored`);
        this.pieces.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.length));
        this.held += next.value.length;
      }
    }
    if (this.held < n) {
      if (this.held === 0 || n === 0) return n === 0 ? new Uint8Array(0) : null;
      if (frame === undefined) return null;
      throw truncated(frame);
    }
    const all = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.held);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pieces = rest.length > 0 ? [rest] : [];
    this.held = rest.length;
    return out;
  }
}
