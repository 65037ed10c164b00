import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { modelLimits, type ModelConfig, type ModelConfigInput, type ModelService } from '../../src/domain';
import { DomainError } from '../../src/errors';
import { FakeModelProvider, vectorOf } from '../support/fake-model-provider';
import { openModelService } from '../support/model-services';
import { tempDir } from '../support/temp-dirs';

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<DomainError> {
  const e = await Promise.resolve()
    .then(() => (typeof p === 'function' ? p() : p))
    .then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

const embedder: ModelConfigInput = { name: 'emb', provider: 'transformers', modelId: 'Xenova/all-MiniLM-L6-v2', parameters: {} };
const writer: ModelConfigInput = { name: 'gen', provider: 'transformers', modelId: 'writer', parameters: { kind: 'generation', context_size: 256 } };

describe('ModelService (domain rules, fake provider, registry file in a temp dir)', () => {
  let dataDir: string;
  let provider: FakeModelProvider;
  let svc: ModelService;

  /** The service over the registry file in dataDir, as after a (re)start. */
  async function open(defaults: ModelConfig[] = [], fake = new FakeModelProvider()): Promise<ModelService> {
    provider = fake;
    return openModelService({ transformers: provider }, { dir: dataDir, defaults });
  }

  beforeEach(async () => {
    dataDir = await tempDir('models-unit');
    svc = await open();
    await svc.register(embedder);
    await svc.register(writer);
  });

  const names = (): string[] => svc.list().map((m) => m.name);

  describe('registry', () => {
    it('registers, lists by name, gets, and unregisters', async () => {
      expect(names()).toEqual(['emb', 'gen']);
      expect(svc.get('emb')).toEqual({ name: 'emb', provider: 'transformers', modelId: 'Xenova/all-MiniLM-L6-v2', parameters: {}, enabled: true });
      await svc.unregister('emb');
      expect(names()).toEqual(['gen']);
      expect((await rejection(() => svc.get('emb'))).code).toBe('NOT_FOUND');
      expect((await rejection(svc.unregister('emb'))).code).toBe('NOT_FOUND');
    });

    it('words every summary itself, the same for both doors', async () => {
      expect(await svc.register({ ...embedder, name: 'third' })).toMatchObject({ config: { name: 'third' }, message: "model 'third' registered" });
      expect((await svc.update('third', { ...embedder, name: '' })).message).toBe("model 'third' updated");
      expect((await svc.update('third', { ...embedder, name: 'fourth' })).message).toBe("model 'third' updated and renamed to 'fourth'");
      expect(await svc.unregister('fourth')).toEqual({ message: "model 'fourth' unregistered" });
    });

    it('lists and gets only enabled models for callers who see no disabled ones', async () => {
      await svc.update('gen', { ...writer, enabled: false });
      expect(svc.listEnabled().map((m) => m.name)).toEqual(['emb']);
      expect(svc.getEnabled('emb').name).toBe('emb');
      expect((await rejection(() => svc.getEnabled('gen'))).code).toBe('NOT_FOUND');
    });

    it('rejects a taken name and keeps the original', async () => {
      const err = await rejection(svc.register({ ...embedder, modelId: 'other' }));
      expect(err.code).toBe('ALREADY_EXISTS');
      expect(svc.get('emb').modelId).toBe('Xenova/all-MiniLM-L6-v2');
    });

    it('renames, but not onto a taken name', async () => {
      const err = await rejection(svc.update('emb', { ...embedder, name: 'gen' }));
      expect(err.code).toBe('ALREADY_EXISTS');
      expect(names()).toEqual(['emb', 'gen']);
      expect(svc.get('gen').parameters).toEqual(writer.parameters);
      await svc.update('emb', { ...embedder, name: 'emb2' });
      expect(names()).toEqual(['emb2', 'gen']);
      // An empty name keeps the current one.
      await svc.update('emb2', { ...embedder, name: '', enabled: false });
      expect(svc.get('emb2').enabled).toBe(false);
    });

    it.each([
      ['an unknown provider', { ...embedder, name: 'x', provider: 'nope' }, 'INVALID_ARGUMENT', 'config.provider'],
      ['a bad name', { ...embedder, name: 'has space' }, 'INVALID_ARGUMENT', 'config.name'],
      ['an empty model_id', { ...embedder, name: 'x', modelId: ' ' }, 'INVALID_ARGUMENT', 'config.model_id'],
      ['a secret in parameters', { ...embedder, name: 'x', parameters: { api_key: 'sk-123' } }, 'INVALID_ARGUMENT', 'config.parameters.api_key'],
      ['a wrong-typed parameter', { ...embedder, name: 'x', parameters: { context_size: 'big' } }, 'INVALID_ARGUMENT', 'config.parameters.context_size'],
      ['a negative temperature default', { ...embedder, name: 'x', parameters: { temperature: -1 } }, 'INVALID_ARGUMENT', 'config.parameters.temperature'],
      ['missing local files', { ...embedder, name: 'x', modelId: 'missing/model' }, 'FAILED_PRECONDITION', undefined],
    ])('rejects %s on register and update, leaving the registry as it was', async (_label, config, code, field) => {
      const before = svc.list();
      const onRegister = await rejection(svc.register(config));
      expect(onRegister.code).toBe(code);
      if (field) expect(onRegister.violations.map((v) => v.field)).toContain(field);
      expect((await rejection(svc.update('emb', config))).code).toBe(code);
      expect(svc.list()).toEqual(before);
    });

    it('names the missing path when local files are missing', async () => {
      expect((await rejection(svc.register({ ...embedder, name: 'x', modelId: 'missing/model' }))).message).toContain('/models/missing/model');
    });

    it('persists every change atomically and reads it back after a restart', async () => {
      await svc.update('gen', { ...writer, enabled: false });
      await svc.register({ ...embedder, name: 'third', parameters: { dimensions: 3 } });
      await svc.unregister('emb');
      const file = JSON.parse(await readFile(join(dataDir, 'models', 'registry.json'), 'utf8')) as { models: ModelConfig[] };
      expect(file.models.map((m) => m.name).sort()).toEqual(['gen', 'third']);
      const defaults: ModelConfig[] = [{ name: 'default', provider: 'transformers', modelId: 'd', parameters: {}, enabled: true }];
      const restarted = await open(defaults);
      expect(restarted.list()).toEqual(svc.list());
      expect(restarted.get('gen').enabled).toBe(false);
    });

    it('registers the defaults on first start only', async () => {
      dataDir = await tempDir('models-first-start');
      const defaults: ModelConfig[] = [{ name: 'default', provider: 'transformers', modelId: 'd', parameters: {}, enabled: true }];
      const first = await open(defaults);
      expect(first.list().map((m) => m.name)).toEqual(['default']);
      await first.unregister('default');
      expect((await open(defaults)).list()).toEqual([]);
    });
  });

  describe('calls', () => {
    it('a disabled model refuses every call with FAILED_PRECONDITION', async () => {
      await svc.update('emb', { ...embedder, enabled: false });
      await svc.update('gen', { ...writer, enabled: false });
      expect((await rejection(svc.embed('emb', ['hi']))).code).toBe('FAILED_PRECONDITION');
      expect((await rejection(svc.generateText('gen', 'hi', {}))).code).toBe('FAILED_PRECONDITION');
      expect((await rejection(() => svc.streamGenerateText('gen', 'hi', {}))).code).toBe('FAILED_PRECONDITION');
    });

    it('the wrong kind is FAILED_PRECONDITION both ways', async () => {
      expect((await rejection(svc.generateText('emb', 'hi', {}))).message).toContain('embedding model');
      expect((await rejection(() => svc.streamGenerateText('emb', 'hi', {}))).code).toBe('FAILED_PRECONDITION');
      expect((await rejection(svc.embed('gen', ['hi']))).code).toBe('FAILED_PRECONDITION');
    });

    it('reports tokens_used and the metadata of a generation, unary and streamed', async () => {
      const unary = await svc.generateText('gen', 'hi', { max_tokens: 4 });
      expect(unary).toEqual({
        text: 'echo: hi',
        promptTokens: 3,
        completionTokens: 2,
        finishReason: 'stop',
        tokensUsed: 5,
        metadata: { prompt_tokens: 3, completion_tokens: 2, finish_reason: 'stop', model: 'gen' },
      });
      const chunks = [];
      for await (const c of svc.streamGenerateText('gen', 'hi', {})) chunks.push(c);
      expect(chunks.at(-1)).toMatchObject({ done: true, metadata: { tokens_used: 6, prompt_tokens: 3, completion_tokens: 3, finish_reason: 'stop', model: 'gen' } });
    });

    it('embeds one text with its own metadata, and checks a requested dimension', async () => {
      expect(await svc.embedOne('emb', 'hi')).toEqual({ vector: vectorOf('hi'), dimension: 3, truncated: false, metadata: { model: 'emb', truncated: false } });
      expect((await svc.embed('emb', ['a'], {}, { dimensions: 3 })).dimension).toBe(3);
      const err = await rejection(svc.embedOne('emb', 'a', {}, { dimensions: 2 }));
      expect(err.violations.map((v) => v.field)).toEqual(['dimensions']);
      expect(err.message).toContain('3-dimensional');
    });

    it('turns a conversation into one prompt: one user message as it is, more as a labelled transcript', async () => {
      expect((await svc.chat('gen', { messages: [{ role: 'user', content: 'hi' }] })).text).toBe('echo: hi');
      const messages = [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: 'Really.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
      ];
      expect((await svc.chat('gen', { messages })).text).toBe('echo: System: Be brief.\n\nSystem: Really.\n\nUser: Hi\n\nAssistant: Hello.');
      const streamed = [];
      for await (const c of svc.streamChat('gen', { messages: [{ role: 'user', content: 'yo' }], parameters: { max_tokens: 2 } })) if (!c.done) streamed.push(c.text);
      expect(streamed.join('')).toBe('echo: yo');
    });

    it.each([
      ['a second choice', { choices: 2 }, 'choices'],
      ['a presence penalty', { presencePenalty: 0.5 }, 'presence_penalty'],
      ['a frequency penalty', { frequencyPenalty: -1 }, 'frequency_penalty'],
      ['an unknown role', { messages: [{ role: 'function', content: 'x' }] }, 'messages[0].role'],
      ['an empty conversation', { messages: [{ role: 'user', content: '  ' }] }, 'messages'],
      ['a bad parameter', { parameters: { max_tokens: 0 } }, 'parameters.max_tokens'],
    ])('a chat with %s is INVALID_ARGUMENT naming %s, before any model work', async (_label, extra, field) => {
      const request = { messages: [{ role: 'user', content: 'hi' }], ...extra };
      expect((await rejection(svc.chat('gen', request))).violations.map((v) => v.field)).toEqual([field]);
      expect((await rejection(() => svc.streamChat('gen', request))).violations.map((v) => v.field)).toEqual([field]);
      expect(provider.started).toEqual([]);
    });

    it('an unknown model is NOT_FOUND', async () => {
      expect((await rejection(svc.embed('ghost', ['hi']))).code).toBe('NOT_FOUND');
      expect((await rejection(svc.generateText('ghost', 'hi', {}))).code).toBe('NOT_FOUND');
    });

    it.each([
      [{ max_tokens: 0 }, 'parameters.max_tokens'],
      [{ max_tokens: 257 }, 'parameters.max_tokens'],
      [{ max_tokens: 1.5 }, 'parameters.max_tokens'],
      [{ temperature: -0.1 }, 'parameters.temperature'],
      [{ temperature: 'hot' }, 'parameters.temperature'],
      [{ top_p: 0 }, 'parameters.top_p'],
      [{ stop: [''] }, 'parameters.stop'],
      [{ seed: -1 }, 'parameters.seed'],
      [{ max_token: 5 }, 'parameters.max_token'],
    ])('generation parameters %j are INVALID_ARGUMENT naming %s', async (parameters, field) => {
      const err = await rejection(svc.generateText('gen', 'hi', parameters));
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.violations.map((v) => v.field)).toEqual([field]);
      expect(provider.started).toEqual([]);
    });

    it('an empty prompt or text is INVALID_ARGUMENT', async () => {
      expect((await rejection(svc.generateText('gen', '  ', {}))).violations[0]!.field).toBe('prompt');
      expect((await rejection(svc.embedOne('emb', ''))).violations[0]!.field).toBe('text');
      expect((await rejection(svc.embed('emb', ['']))).violations[0]!.field).toBe('texts[0]');
      expect((await rejection(svc.embed('emb', ['a', ''], {}))).violations[0]!.field).toBe('texts[1]');
      expect((await rejection(svc.embed('emb', [], {}))).violations[0]!.field).toBe('texts');
    });

    it('streams chunks then one finished chunk', async () => {
      const chunks = [];
      for await (const c of svc.streamGenerateText('gen', 'hi', { max_tokens: 4 })) chunks.push(c);
      expect(chunks.slice(0, -1)).toEqual([{ done: false, text: 'echo' }, { done: false, text: ': ' }, { done: false, text: 'hi' }]);
      expect(chunks.at(-1)).toMatchObject({ done: true, result: { finishReason: 'stop' } });
    });
  });

  describe('throughput and queues', () => {
    it('micro-batches 32 concurrent callers, each getting its own vector', async () => {
      // The same registry file, reopened with a provider whose model calls take a while.
      svc = await open([], new FakeModelProvider({ embedDelayMs: 5 }));
      const texts = Array.from({ length: 32 }, (_, i) => `caller ${i} ${'x'.repeat(i)}`);
      const results = await Promise.all(texts.map((t) => svc.embedOne('emb', t)));
      results.forEach((r, i) => expect(r.vector).toEqual(vectorOf(texts[i]!)));
      expect(provider.embedCalls.length).toBeLessThan(32);
      expect(Math.max(...provider.embedCalls.map((c) => c.length))).toBeGreaterThan(1);
      expect(provider.embedCalls.flat().sort()).toEqual([...texts].sort());
    });

    it('a batch call returns embeddings in input order and the truncation flags', async () => {
      const long = 'y'.repeat(101);
      const out = await svc.embed('emb', ['a', long, 'bc']);
      expect(out).toEqual({
        vectors: [vectorOf('a'), vectorOf(long), vectorOf('bc')],
        dimension: 3,
        truncated: [false, true, false],
        metadata: { model: 'emb', truncated: [false, true, false] },
      });
    });

    it('a full embedding queue answers RESOURCE_EXHAUSTED at once', async () => {
      provider.hold();
      const batch = (tag: string) => Array.from({ length: modelLimits.maxTextsPerCall }, (_, i) => `${tag}${i}`);
      const first = svc.embed('emb', batch('a'));
      await new Promise((r) => setImmediate(r));
      const second = svc.embed('emb', batch('b'));
      const err = await rejection(svc.embed('emb', batch('c')));
      expect(err.code).toBe('RESOURCE_EXHAUSTED');
      expect(err.retryAfterSeconds).toBeGreaterThan(0);
      provider.letGo();
      expect((await first).vectors).toHaveLength(modelLimits.maxTextsPerCall);
      expect((await second).vectors).toHaveLength(modelLimits.maxTextsPerCall);
    });

    it('generation runs in arrival order and a full queue answers RESOURCE_EXHAUSTED', async () => {
      provider.hold();
      const prompts = Array.from({ length: modelLimits.maxGenerationQueue + 1 }, (_, i) => `p${i}`);
      const calls = prompts.map((p) => svc.generateText('gen', p, {}));
      const err = await rejection(svc.generateText('gen', 'one too many', {}));
      expect(err.code).toBe('RESOURCE_EXHAUSTED');
      provider.letGo();
      const results = await Promise.all(calls);
      expect(results.map((r) => r.text)).toEqual(prompts.map((p) => `echo: ${p}`));
      expect(provider.started).toEqual(prompts);
    });

    it('a caller that leaves while queued is CANCELLED and never reaches the model', async () => {
      provider.hold();
      const running = svc.generateText('gen', 'first', {});
      const controller = new AbortController();
      const queued = svc.generateText('gen', 'second', {}, { signal: controller.signal });
      controller.abort();
      expect((await rejection(queued)).code).toBe('CANCELLED');
      provider.letGo();
      await running;
      expect(provider.started).toEqual(['first']);
    });
  });
});
