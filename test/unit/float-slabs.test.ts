import { InsertRequest } from '../../src/gen/taishang/ai/v1/vector_service';
import { FloatSlabs } from '../../src/grpc/float-slabs';
import { decodeWriteRequest, writingFrom } from '../../src/grpc/vector-request-decoding';

/**
 * Decoded Insert and Upsert requests hold their vectors in a slab the door reuses; it may go back
 * only when no store can still read it: after the write settled with the caller still there.
 */
const bytes = InsertRequest.encode({
  collectionName: 'docs',
  vectors: Array.from({ length: 20 }, (_, i) => ({ id: `v${i}`, vector: [i, i + 0.5, -i], metadata: { n: i }, text: '' })),
}).finish();

const present = { aborted: false };

describe('decoded write requests reuse their slab', () => {
  it('gives the slab back once the write has settled, so the next request decodes into it', async () => {
    const slabs = new FloatSlabs();
    const first = decodeWriteRequest(bytes, slabs);
    expect(Array.from(first.vectors[3]!.vector)).toEqual([3, 3.5, -3]);
    await expect(writingFrom(first, present, async () => 'written')).resolves.toBe('written');
    expect(slabs.kept).toBe(1);
    const second = decodeWriteRequest(bytes, slabs);
    expect(second.vectors[0]!.vector.buffer).toBe(first.vectors[0]!.vector.buffer);
    expect(slabs.kept).toBe(0);
  });

  it('gives it back after a write that failed too, and passes the failure on', async () => {
    const slabs = new FloatSlabs();
    const request = decodeWriteRequest(bytes, slabs);
    await expect(writingFrom(request, present, () => Promise.reject(new Error('ALREADY_EXISTS')))).rejects.toThrow('ALREADY_EXISTS');
    expect(slabs.kept).toBe(1);
  });

  it('keeps it out of reuse when the caller left: the group its write joined may still read it', async () => {
    const slabs = new FloatSlabs();
    const request = decodeWriteRequest(bytes, slabs);
    const call = { aborted: false };
    await expect(
      writingFrom(request, call, () => {
        call.aborted = true;
        return Promise.reject(new Error('CANCELLED'));
      }),
    ).rejects.toThrow('CANCELLED');
    expect(slabs.kept).toBe(0);
    expect(decodeWriteRequest(bytes, slabs).vectors[0]!.vector.buffer).not.toBe(request.vectors[0]!.vector.buffer);
  });

  it('gives it back at once when the bytes are malformed', () => {
    const slabs = new FloatSlabs();
    expect(() => decodeWriteRequest(Buffer.concat([bytes, Buffer.from([0x12, 0x7f])]), slabs)).toThrow();
    expect(slabs.kept).toBe(1);
  });

  it('sizes slabs in powers of two of at least 64 KiB, and keeps none over 8 MiB', () => {
    const slabs = new FloatSlabs();
    expect(slabs.takeFloats(10).byteLength).toBe(64 * 1024);
    expect(slabs.takeFloats(384_001).length).toBe(512 * 1024);
    slabs.give(slabs.takeFloats(3 * 1024 * 1024));
    expect(slabs.kept).toBe(0);
  });
});
