import type { GenerationParams } from '../../../src/domain';
import { modelOf, onEach, readStream, serving, useSubjects } from './contract-harness';

/** generate and stream: text, finish reasons, token counts, stop sequences, max_tokens, determinism. */
const subjects = useSubjects();

const QUESTION = 'What is the capital of France? Answer in one word.';
const STORY = 'Write a long story about a dragon who learns to bake bread.';
const COUNT = 'Count from 1 to 10, separated by commas.';
/** Greedy: a deterministic provider gives the same text on every call. */
const GREEDY: GenerationParams = { temperature: 0, seed: 7, maxTokens: 24 };
const STOP_AT_5: GenerationParams = { temperature: 0, maxTokens: 40, stop: ['5'] };

function callers(label: string) {
  const subject = () => subjects[label]!;
  return {
    generate: (prompt: string, params: GenerationParams) => subject().provider.generate(modelOf(subject(), 'generation'), prompt, params),
    stream: (prompt: string, params: GenerationParams) => readStream(subject().provider.stream(modelOf(subject(), 'generation'), prompt, params)),
  };
}

describe.each(serving('generation'))('the ModelProvider contract: %s generates', (label) => {
  const { generate, stream } = callers(label);

  it('answers with text, a finish reason and token counts', async () => {
    const result = await generate(QUESTION, GREEDY);
    expect(result.text.trim()).not.toBe('');
    expect(['stop', 'length']).toContain(result.finishReason);
    expect(result.promptTokens).toBeGreaterThan(0);
    expect(result.completionTokens).toBeGreaterThan(0);
    expect(result.completionTokens).toBeLessThanOrEqual(GREEDY.maxTokens!);
    // A longer prompt is more prompt tokens, counted the same way.
    const longer = await generate(`${QUESTION} Think about it carefully before you answer, please.`, { ...GREEDY, maxTokens: 1 });
    expect(longer.promptTokens).toBeGreaterThan(result.promptTokens);
  });

  it('streams text chunks, then exactly one done chunk, last, whose text they add up to', async () => {
    const read = await stream(STORY, { ...GREEDY, maxTokens: 12 });
    expect(read.error).toBeUndefined();
    expect(read.texts.length).toBeGreaterThan(1);
    expect(read.texts.every((t) => t !== '')).toBe(true);
    expect(read.results).toHaveLength(1);
    expect(read.afterDone).toBe(0);
    expect(read.results[0]!.text).toBe(read.texts.join(''));
    expect(read.results[0]).toMatchObject({ finishReason: 'length', completionTokens: 12, promptTokens: expect.any(Number) });
  });

  it('honours max_tokens: exactly that many tokens, finish reason length', async () => {
    for (const call of [generate(STORY, { temperature: 0, maxTokens: 5 }), stream(STORY, { temperature: 0, maxTokens: 5 }).then((r) => r.results[0]!)]) {
      const result = await call;
      expect(result).toMatchObject({ finishReason: 'length', completionTokens: 5 });
      expect(result.text.trim()).not.toBe('');
    }
  });

  it('ends on its own with finish reason stop when the answer is complete', async () => {
    const result = await generate(QUESTION, { ...GREEDY, maxTokens: 64 });
    expect(result.finishReason).toBe('stop');
    expect(result.completionTokens).toBeLessThan(64);
  });

  it('a stop sequence is not part of the text, and ends it with finish reason stop', async () => {
    for (const result of [await generate(COUNT, STOP_AT_5), (await stream(COUNT, STOP_AT_5)).results[0]!]) {
      expect(result.finishReason).toBe('stop');
      expect(result.text).not.toContain('5');
    }
  });
});

describe.each(serving('generation', { deterministic: true }))('the ModelProvider contract: %s repeats itself, as it promises', (label) => {
  const { generate, stream } = callers(label);

  it('at temperature 0 gives the same answer every time, and the stream is that answer', async () => {
    const first = await generate(QUESTION, GREEDY);
    expect(await generate(QUESTION, GREEDY)).toEqual(first);
    const read = await stream(QUESTION, GREEDY);
    expect(read.texts.join('')).toBe(first.text);
    expect(read.results).toEqual([first]);
  });

  it('a stop sequence cuts the text it would otherwise produce just before it', async () => {
    const free = await generate(COUNT, { temperature: 0, maxTokens: 40 });
    expect(free.text).toContain('5');
    const stopped = await generate(COUNT, STOP_AT_5);
    expect(free.text.startsWith(stopped.text)).toBe(true);
    expect(free.text.slice(stopped.text.length)).toMatch(/^5/);
    expect(stopped.completionTokens).toBeLessThan(free.completionTokens);
    const streamed = await stream(COUNT, STOP_AT_5);
    expect(streamed.texts.join('')).toBe(stopped.text);
    expect(streamed.results).toEqual([stopped]);
  });

  it('with a fixed seed, sampling at temperature 0.8 repeats itself', async () => {
    const params: GenerationParams = { temperature: 0.8, seed: 11, maxTokens: 16 };
    expect(await generate(STORY, params)).toEqual(await generate(STORY, params));
  });
});

describe('the ModelProvider contract: generations agree across providers of the same weights', () => {
  const compared = () => serving('generation').filter((label) => subjects[label]!.sameAs?.generation !== undefined);

  it('a remote generates what the local provider it proxies generates, with its token counts', async () => {
    expect(compared().length).toBeGreaterThan(0);
    for (const [prompt, params] of [[QUESTION, GREEDY], [COUNT, STOP_AT_5], [STORY, { temperature: 0.8, seed: 3, maxTokens: 8 }]] as const) {
      const results = await onEach(subjects, 'generation', (subject, model) => subject.provider.generate(model, prompt, params));
      for (const label of compared()) expect({ label, ...results[label]! }).toEqual({ label, ...results[subjects[label]!.sameAs!.generation!]! });
    }
  });

  it('a remote streams what the local provider it proxies streams', async () => {
    const reads = await onEach(subjects, 'generation', (subject, model) => readStream(subject.provider.stream(model, QUESTION, GREEDY)));
    for (const label of compared()) {
      const local = reads[subjects[label]!.sameAs!.generation!]!;
      const remote = reads[label]!;
      expect({ label, text: remote.texts.join(''), results: remote.results }).toEqual({ label, text: local.texts.join(''), results: local.results });
    }
  });
});
