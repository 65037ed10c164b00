import { loadConfig } from '../../src/config/config';
import type { ModelConfig } from '../../src/domain';
import { DomainError } from '../../src/errors';
import { TransformersProvider } from '../../src/providers/transformers';
import { EmbeddingThreads } from '../../src/providers/transformers/embedding-threads';

/**
 * An embedding thread that dies mid-batch of an uncaught exception (a bug in its JavaScript; here a
 * message its handler cannot read, delivered between two model runs): the batch it was running
 * fails with a retryable UNAVAILABLE that says so (and a warning for the operator with the
 * cause), the other thread's batch is untouched, the provider keeps serving, the dead thread is replaced on the next call, and the replacement answers exactly as
 * before. Real all-MiniLM-L6-v2 weights (scripts/fetch-models.sh); EmbeddingThreads.start is
 * observed, not replaced, to reach the threads it starts.
 *
 * Not covered, because the process cannot survive it: Worker.terminate() while onnxruntime-node is
 * inside a run aborts the whole process (a C++ Napi::Error reaches std::terminate), so nothing in
 * the service terminates a thread that has work; dispose() waits for the batches posted before it.
 */
const warnings: { fields: object; message: string }[] = [];
const provider = new TransformersProvider({
  modelCacheDir: loadConfig().modelCacheDir,
  allowRemoteModels: false,
  logger: { info: () => undefined, warn: (fields, message) => warnings.push({ fields, message }) },
});
const minilm: ModelConfig = { name: 'minilm', provider: 'transformers', modelId: 'Xenova/all-MiniLM-L6-v2', parameters: {}, enabled: true };
const started: EmbeddingThreads[] = [];

/** The worker and liveness of each thread of a started model (fields private to embedding-thread.ts). */
interface ThreadInside {
  worker: { postMessage(message: unknown): void; threadId: number };
  alive: boolean;
}
function threadsOf(threads: EmbeddingThreads): ThreadInside[] {
  return (threads as unknown as { threads: ThreadInside[] }).threads;
}

beforeAll(() => {
  const start = EmbeddingThreads.start.bind(EmbeddingThreads);
  jest.spyOn(EmbeddingThreads, 'start').mockImplementation(async (options, count) => {
    const threads = await start(options, count);
    started.push(threads);
    return threads;
  });
});

afterAll(async () => {
  jest.restoreAllMocks();
  await provider.close();
});

const SHORT = ['a crashed thread must not take the service with it', 'the next call is answered as before'];
/** Long enough (many model runs) that the kill lands while the batch is still computing. */
const LONG = Array.from({ length: 256 }, (_, i) => `passage ${i}: ${'pumps move water uphill through pipes and valves; '.repeat(12)}`);

describe('an embedding thread that dies mid-batch', () => {
  it('fails that batch with the cause, then replaces the thread and answers as before', async () => {
    const before = await provider.embed(minilm, SHORT);
    expect(started).toHaveLength(1);
    const threads = started[0]!;
    expect(threadsOf(threads).map((t) => t.alive)).toEqual([true, true]);
    const killedId = threadsOf(threads)[0]!.worker.threadId;

    // Two batches in flight, one per thread; the first thread's message handler throws (it reads
    // `message.type` of null) while its batch computes.
    const outcomes = Promise.allSettled([provider.embed(minilm, LONG), provider.embed(minilm, LONG)]);
    await new Promise((r) => setTimeout(r, 150));
    threadsOf(threads)[0]!.worker.postMessage(null);
    const [killed, survivor] = await outcomes;

    expect(killed.status).toBe('rejected');
    const error = (killed as PromiseRejectedResult).reason as DomainError;
    expect(error).toBeInstanceOf(DomainError);
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/^model 'Xenova\/all-MiniLM-L6-v2': its embedding thread stopped \(uncaught TypeError: .*null.*\); the next call starts a new one$/),
    });
    expect(warnings).toEqual([{ fields: { model: 'minilm', err: expect.objectContaining({ name: 'EmbeddingThreadLost' }) }, message: 'embedding thread stopped' }]);
    // The other thread's batch is untouched.
    expect(survivor.status).toBe('fulfilled');
    expect((survivor as PromiseFulfilledResult<{ vectors: number[][] }>).value.vectors).toHaveLength(LONG.length);
    expect(threadsOf(threads).map((t) => t.alive)).toEqual([false, true]);

    // The next call replaces the dead thread (no reload of the model as a whole: still one start),
    // and the replacement's answers are the same numbers as before the crash, on both threads.
    const after = await Promise.all([provider.embed(minilm, SHORT), provider.embed(minilm, SHORT)]);
    expect(started).toHaveLength(1);
    expect(threadsOf(threads).map((t) => t.alive)).toEqual([true, true]);
    expect(threadsOf(threads)[0]!.worker.threadId).not.toBe(killedId);
    for (const result of after) expect(result.vectors).toEqual(before.vectors);
  }, 120_000);
});
