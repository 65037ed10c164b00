import { BufferPool } from '../../../domain';

/**
 * Buffers for the Arrow IPC files of appends (lance-append.ts): one kept per append that can run
 * at once in practice (a few collections writing), none over 8 MiB, none under 64 KiB so a
 * collection's first small appends do not each make a slightly larger one. The IPC file was one
 * of the three 1.5 MB buffers per Insert that set the collector's pace (buffer-pool.ts).
 */
export class IpcBuffers extends BufferPool<Buffer> {
  constructor() {
    super((bytes) => Buffer.allocUnsafeSlow(bytes), { keep: 4, keepMaxBytes: 8 * 1024 * 1024, minBytes: 64 * 1024 });
  }
}
