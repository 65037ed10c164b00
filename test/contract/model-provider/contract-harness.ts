import { MODEL_KINDS, type GenerationChunk, type GenerationResult, type ModelCallOptions, type ModelConfig, type ModelKind } from '../../../src/domain';
import { isDomainError } from '../../../src/errors';
import { ENTRIES, type Subject } from './provider-entries';

export { ENTRIES, type Subject };
export type Subjects = Record<string, Subject>;

/**
 * Every entry of provider-entries.ts, opened once for a test file (real weights, a real upstream
 * service on loopback) and closed after it. Models load lazily, on a file's first call.
 */
export function useSubjects(): Subjects {
  const subjects: Subjects = {};
  beforeAll(async () => {
    for (const entry of ENTRIES) subjects[entry.label] = await entry.open();
  }, 120_000);
  afterAll(async () => {
    for (const subject of Object.values(subjects)) await subject.close();
  }, 60_000);
  return subjects;
}

/** Labels of the entries that serve `kind` (and are deterministic, when asked), for describe.each. */
export function serving(kind: ModelKind, only: { deterministic?: true } = {}): string[] {
  return ENTRIES.filter((e) => e.kinds.includes(kind) && (only.deterministic === undefined || e.deterministic === true)).map((e) => e.label);
}

/** Every (label, kind) an entry serves. */
export function everyKind(): [string, ModelKind][] {
  return ENTRIES.flatMap((e) => e.kinds.map((kind): [string, ModelKind] => [e.label, kind]));
}

export function modelOf(subject: Subject, kind: ModelKind, which: 'models' | 'missing' | 'unreachable' = 'models'): ModelConfig {
  const config = subject[which]?.[kind];
  if (config === undefined) throw new Error(`the entry has no ${which} model of kind ${kind}`);
  return config;
}

/** Runs the same steps on every entry serving `kind`, one after the other; results by label. */
export async function onEach<T>(subjects: Subjects, kind: ModelKind, run: (subject: Subject, model: ModelConfig, label: string) => Promise<T>): Promise<Record<string, T>> {
  const out: Record<string, T> = {};
  for (const label of serving(kind)) out[label] = await run(subjects[label]!, modelOf(subjects[label]!, kind), label);
  return out;
}

/** What every entry serving `kind` must answer: `value` under each label, so a diff names the provider. */
export function everyone<T>(kind: ModelKind, value: T): Record<string, T> {
  return Object.fromEntries(serving(kind).map((label) => [label, value]));
}

/** How a call ended: OK, or a DomainError's code and the fields it names. */
export interface Outcome {
  code: string;
  fields: string[];
}

export async function outcomeOf(call: Promise<unknown> | (() => Promise<unknown>)): Promise<Outcome> {
  try {
    await (typeof call === 'function' ? call() : call);
    return { code: 'OK', fields: [] };
  } catch (e) {
    if (!isDomainError(e)) return { code: `not a DomainError: ${String(e)}`, fields: [] };
    return { code: e.code, fields: e.violations.map((v) => v.field) };
  }
}

/** A stream read to its end (or its error); `onText` sees each text chunk as it comes. */
export interface StreamRead {
  texts: string[];
  /** The `done` chunks' results: exactly one for a stream that ends well. */
  results: GenerationResult[];
  /** Chunks (text or done) that came after the last one, i.e. after `done`. */
  afterDone: number;
  error?: unknown;
}

export async function readStream(stream: AsyncIterable<GenerationChunk>, onText?: (count: number) => void | 'leave'): Promise<StreamRead> {
  const read: StreamRead = { texts: [], results: [], afterDone: 0 };
  try {
    for await (const chunk of stream) {
      if (read.results.length > 0) read.afterDone += 1;
      if (chunk.done) {
        read.results.push(chunk.result);
        continue;
      }
      read.texts.push(chunk.text);
      if (onText?.(read.texts.length) === 'leave') break;
    }
  } catch (e) {
    read.error = e;
  }
  return read;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Largest component difference of two vectors of one length. */
export function maxDiff(a: readonly number[], b: readonly number[]): number {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
}

export function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((sum, x, i) => sum + x * b[i]!, 0);
}

/** One provider call of a kind, as the suite makes it; streams are read to the end and throw what they threw. */
export type Call = (provider: Subject['provider'], model: ModelConfig, options?: ModelCallOptions) => Promise<unknown>;

/** The calls a model of `kind` answers: embed for embedding models, rerank for rerankers, generate and stream for generation models. */
export function callsOf(kind: ModelKind, input = kind === 'generation' ? 'Say hello.' : 'A short text.'): [string, Call][] {
  if (kind === 'embedding') return [['embed', (provider, model, options) => provider.embed(model, [input, `${input} Again.`], options)]];
  if (kind === 'reranker') return [['rerank', (provider, model, options) => provider.rerank(model, input, [`${input} Again.`, 'Something else entirely.'], options)]];
  const params = { temperature: 0, maxTokens: 4 };
  return [
    ['generate', (provider, model, options) => provider.generate(model, input, params, options)],
    [
      'stream',
      async (provider, model, options) => {
        const read = await readStream(provider.stream(model, input, params, options));
        if (read.error !== undefined) throw read.error;
        return read;
      },
    ],
  ];
}

/** Every kind but `kind`: the calls a model of it must refuse. */
export function otherKinds(kind: ModelKind): ModelKind[] {
  return MODEL_KINDS.filter((k) => k !== kind);
}
