import { EmbeddingBatcher } from '../../src/domain';
import type { EmbeddingResult } from '../../src/domain';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A model call that takes `ms` and records its batch. */
function slowModel(ms: number, calls: string[][]): (texts: string[]) => Promise<EmbeddingResult> {
  return async (texts) => {
    calls.push([...texts]);
    await sleep(ms);
    return { vectors: texts.map((t) => [t.length]), dimension: 1, truncated: texts.map(() => false) };
  };
}

describe('EmbeddingBatcher gather', () => {
  it('keeps steady callers together when their next requests come back staggered', async () => {
    const calls: string[][] = [];
    const batcher = new EmbeddingBatcher(slowModel(40, calls), 32, 4096, 'model');
    // 8 callers, each sending 4 texts one after the other; caller k takes k ms to come back
    // (transport and client work), so after the first batch the requests trickle in over 7 ms.
    const caller = async (k: number): Promise<void> => {
      for (let round = 0; round < 4; round += 1) {
        const [out] = await batcher.embed([`caller ${k} round ${round}`]);
        expect(out!.vector).toEqual([`caller ${k} round ${round}`.length]);
        await sleep(k);
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, k) => caller(k)));
    expect(calls.map((c) => c.length)).toEqual([8, 8, 8, 8]);
  });

  it('does not hold back a lone caller or the first caller after a quiet spell', async () => {
    const calls: string[][] = [];
    const batcher = new EmbeddingBatcher(slowModel(5, calls), 32, 4096, 'model');
    await Promise.all(Array.from({ length: 4 }, (_, i) => batcher.embed([`burst ${i}`])));
    await sleep(30);
    // Past the last call's duration the burst's callers are not expected back: no gather wait.
    // The only timers set are the model's own 5 ms calls; a gather wait would be a timer of its
    // own (a quarter of the last call), so it is counted rather than timed.
    const timers = jest.spyOn(global, 'setTimeout');
    try {
      await batcher.embed(['alone']);
      await batcher.embed(['alone again']);
      expect(timers.mock.calls.map(([, ms]) => ms)).toEqual([5, 5]);
    } finally {
      timers.mockRestore();
    }
    expect(calls.map((c) => c.length)).toEqual([4, 1, 1]);
  });
});

/** A model call that waits until released, recording its texts and the signal it was given. */
function heldModel() {
  const calls: { texts: string[]; signal: AbortSignal | undefined; release: () => void }[] = [];
  const run = (texts: string[], signal: AbortSignal | undefined): Promise<EmbeddingResult> =>
    new Promise((resolve) => {
      calls.push({ texts: [...texts], signal, release: () => resolve({ vectors: texts.map((t) => [t.length]), dimension: 1, truncated: texts.map(() => false) }) });
    });
  return { calls, run };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await sleep(5);
  expect(check()).toBe(true);
}

describe('EmbeddingBatcher cancellation', () => {
  it('answers a queued caller that leaves CANCELLED at once; its texts never reach the model', async () => {
    const model = heldModel();
    const batcher = new EmbeddingBatcher(model.run, 32, 4096, 'model');
    const first = batcher.embed(['busy']);
    await until(() => model.calls.length === 1);
    const leaving = new AbortController();
    const left = batcher.embed(['never', 'sent'], leaving.signal);
    const stays = batcher.embed(['stays']);
    expect(batcher.depth).toBe(3);
    leaving.abort();
    await expect(left).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(batcher.depth).toBe(1);
    model.calls[0]!.release();
    await first;
    await until(() => model.calls.length === 2);
    expect(model.calls[1]!.texts).toEqual(['stays']);
    model.calls[1]!.release();
    expect((await stays)[0]!.vector).toEqual([5]);
  });

  it('gives the model call a signal that fires only when every caller of the batch has left', async () => {
    const model = heldModel();
    const batcher = new EmbeddingBatcher(model.run, 32, 4096, 'model');
    const a = new AbortController();
    const b = new AbortController();
    const first = batcher.embed(['a1', 'a2'], a.signal);
    const second = batcher.embed(['b1'], b.signal);
    await until(() => model.calls.length === 1);
    const call = model.calls[0]!;
    expect(call.texts).toEqual(['a1', 'a2', 'b1']);
    a.abort();
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(call.signal?.aborted).toBe(false);
    b.abort();
    await expect(second).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(call.signal?.aborted).toBe(true);
    call.release();
  });

  it('never aborts a batch that has a caller without a signal', async () => {
    const model = heldModel();
    const batcher = new EmbeddingBatcher(model.run, 32, 4096, 'model');
    const a = new AbortController();
    const leaving = batcher.embed(['a'], a.signal);
    const staying = batcher.embed(['b']);
    await until(() => model.calls.length === 1);
    a.abort();
    await expect(leaving).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(model.calls[0]!.signal).toBeUndefined();
    model.calls[0]!.release();
    expect((await staying)[0]!.vector).toEqual([1]);
  });
});

describe('EmbeddingBatcher with a provider that takes two batches at once', () => {
  const twoInFlight = (run: (texts: string[], signal: AbortSignal | undefined) => Promise<EmbeddingResult>, maxBatch = 32): EmbeddingBatcher =>
    new EmbeddingBatcher(run, maxBatch, 4096, 'model', undefined, 2);

  it('splits what waits in two when nothing runs, and hands both halves over at once', async () => {
    const model = heldModel();
    const batcher = twoInFlight(model.run);
    const answers = Promise.all(Array.from({ length: 32 }, (_, i) => batcher.embed([`t${i}`])));
    await sleep(5);
    expect(model.calls.map((c) => c.texts.length)).toEqual([16, 16]);
    expect(model.calls.flatMap((c) => c.texts)).toEqual(Array.from({ length: 32 }, (_, i) => `t${i}`));
    model.calls.forEach((c) => c.release());
    expect((await answers).map(([r]) => r!.vector[0])).toEqual(Array.from({ length: 32 }, (_, i) => `t${i}`.length));
  });

  it('never has more than two batches running; the third waits for one to end', async () => {
    const model = heldModel();
    const batcher = twoInFlight(model.run, 4);
    const answers = Promise.all(Array.from({ length: 12 }, (_, i) => batcher.embed([`t${i}`])));
    await sleep(5);
    expect(model.calls.map((c) => c.texts.length)).toEqual([4, 4]);
    model.calls[0]!.release();
    await sleep(5);
    expect(model.calls.map((c) => c.texts.length)).toEqual([4, 4, 4]);
    expect(batcher.depth).toBe(0);
    model.calls[1]!.release();
    model.calls[2]!.release();
    expect((await answers).length).toBe(12);
    expect(batcher.batchSizes).toEqual([4, 4, 4]);
  });

  it('answers the callers of the batch that ends first without waiting for the other', async () => {
    const model = heldModel();
    const batcher = twoInFlight(model.run);
    const first = batcher.embed(['a']);
    const second = batcher.embed(['b']);
    await sleep(5);
    expect(model.calls.map((c) => c.texts)).toEqual([['a'], ['b']]);
    model.calls[1]!.release();
    expect((await second)[0]!.vector).toEqual([1]);
    let firstDone = false;
    void first.then(() => (firstDone = true));
    await sleep(5);
    expect(firstDone).toBe(false);
    model.calls[0]!.release();
    expect((await first)[0]!.vector).toEqual([1]);
  });
});
