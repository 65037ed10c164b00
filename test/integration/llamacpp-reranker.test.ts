import type { ModelConfig } from '../../src/domain';
import { DomainError } from '../../src/errors';
import { LlamaCppProvider } from '../../src/providers/llamacpp';
import { MODEL_CACHE_DIR, TEXT_MODEL } from '../support/real-models';

/**
 * GGUF rerankers (node-llama-cpp's ranking context). No GGUF with a ranking head is fetchable from
 * a package registry on these machines (docs/MODELS.md), so what is checked here is what the real
 * SmolLM2-135M file makes the provider do: it has no ranking head, and registering it as a
 * reranker, or calling one that slipped into the registry, says so.
 */
jest.setTimeout(60_000);
const provider = new LlamaCppProvider({ modelCacheDir: MODEL_CACHE_DIR });
afterAll(() => provider.close());

const generator: ModelConfig = { name: 'smollm', provider: 'llamacpp', modelId: TEXT_MODEL.model_id, parameters: { context_size: 512 }, enabled: true };
const asReranker: ModelConfig = { ...generator, name: 'smollm-ranker', parameters: { kind: 'reranker', context_size: 512 } };

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('llamacpp rerankers', () => {
  it('refuses to register a GGUF without a ranking head as a reranker: FAILED_PRECONDITION naming the file and the fix', async () => {
    expect(provider.kindOf(asReranker)).toBe('reranker');
    const error = await rejection(provider.validate(asReranker));
    expect(error.code).toBe('FAILED_PRECONDITION');
    expect(error.message).toContain(TEXT_MODEL.model_id);
    expect(error.message).toContain('no ranking head');
    expect(error.message).toContain("parameters.kind 'generation'");
    // The same file as a generation model is fine.
    await provider.validate(generator);
  });

  it('a reranker entry over it (registered before the check, or files swapped) fails its calls the same way and is not ready', async () => {
    const error = await rejection(provider.rerank(asReranker, 'How many people live in Berlin?', ['Berlin has 3.5 million inhabitants.']));
    expect(error.code).toBe('FAILED_PRECONDITION');
    expect(error.message).toContain('no ranking head');
    expect(await provider.isReady(asReranker)).toBe(false);
  });

  it('each kind refuses the other calls, before any work', async () => {
    expect((await rejection(provider.rerank(generator, 'q', ['d']))).message).toBe("model 'smollm' is a text generation model (llamacpp); use GenerateText");
    expect((await rejection(provider.generate(asReranker, 'hi', {}))).message).toBe("model 'smollm-ranker' is a reranker model (llamacpp); use Rerank");
    expect((await rejection(provider.embed(asReranker, ['x']))).message).toContain('use Rerank');
    expect(provider.activeGenerations()).toBe(0);
  });

  it('refuses generation settings on a reranker, naming each', async () => {
    const error = await rejection(provider.validate({ ...asReranker, parameters: { kind: 'reranker', temperature: 0.5, concurrency: 2 } }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.violations.map((v) => v.field).sort()).toEqual(['config.parameters.concurrency', 'config.parameters.temperature']);
  });

  it('an aborted signal is CANCELLED before anything loads', async () => {
    expect((await rejection(provider.rerank(asReranker, 'q', ['d'], { signal: AbortSignal.abort() }))).code).toBe('CANCELLED');
  });
});
