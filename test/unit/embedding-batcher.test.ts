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
    const started = Date.now();
    await batcher.embed(['alone']);
    await batcher.embed(['alone again']);
    expect(calls.map((c) => c.length)).toEqual([4, 1, 1]);
    // Two 5 ms calls; a gather wait would add up to 20 ms more (generous bound for busy machines).
    expect(Date.now() - started).toBeLessThan(200);
  });
});
