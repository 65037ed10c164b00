import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import { callCancelled, VectorService, type CallOptions } from '../../src/domain';

/**
 * Options as the gRPC door hands them over: `aborted` answers at once, the signal is made on first
 * read (unary-call.ts). `reads` counts how often the signal was asked for.
 */
function lazyOptions(aborted: boolean): CallOptions & { reads: number } {
  const controller = new AbortController();
  if (aborted) controller.abort();
  return {
    reads: 0,
    aborted,
    get signal() {
      this.reads += 1;
      return controller.signal;
    },
  };
}

describe('callCancelled', () => {
  it('is false without options or signal', () => {
    expect(callCancelled(undefined)).toBe(false);
    expect(callCancelled({})).toBe(false);
    expect(callCancelled({ signal: new AbortController().signal })).toBe(false);
  });

  it('reads the signal when the door gives no `aborted`', () => {
    const controller = new AbortController();
    controller.abort();
    expect(callCancelled({ signal: controller.signal })).toBe(true);
  });

  it('answers from `aborted` without making the signal', () => {
    const live = lazyOptions(false);
    const gone = lazyOptions(true);
    expect(callCancelled(live)).toBe(false);
    expect(callCancelled(gone)).toBe(true);
    expect(live.reads + gone.reads).toBe(0);
  });
});

describe('a VectorService call that never waits on the engine', () => {
  let svc: VectorService;
  beforeEach(async () => {
    svc = new VectorService(new MemoryVectorStore());
    await svc.createCollection({ name: 'docs', vectorDim: 3 });
  });

  it('answers without making the signal', async () => {
    const options = lazyOptions(false);
    await expect(svc.hasCollection('docs', options)).resolves.toBe(true);
    await expect(svc.listCollections(options)).resolves.toEqual(['docs']);
    expect(options.reads).toBe(0);
  });

  it('is CANCELLED when the caller has already left, and stores nothing', async () => {
    const options = lazyOptions(true);
    await expect(svc.insert('docs', [{ id: 'a', vector: [1, 0, 0] }], options)).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(svc.hasCollection('docs', options)).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await svc.getCollectionStats('docs')).toMatchObject({ vectorCount: 0 });
  });
});
