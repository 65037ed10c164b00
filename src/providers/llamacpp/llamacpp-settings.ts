import { availableParallelism } from 'node:os';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { ModelConfig } from '../../domain';
import { errors, type FieldViolation } from '../../errors';

/** The llamacpp provider's view of a ModelConfig, after checking. */
export interface LlamaSettings {
  /** 'reranker': a GGUF with a ranking head, served through a ranking context. */
  kind: 'generation' | 'reranker';
  /** Absolute path of the GGUF file, inside MODEL_CACHE_DIR. */
  modelPath: string;
  /** Tokens per sequence (prompt + completion). */
  contextSize: number;
  /** Sequences decoded in parallel, each with its own `contextSize`. */
  concurrency: number;
  /** CPU threads of the model's context. */
  threads: number;
  /** Wrap the prompt in the model's chat template (instruct models); false: raw completion. */
  chatTemplate: boolean;
  systemPrompt: string | undefined;
  /** Generation parameters used when a call leaves them out. */
  defaults: { maxTokens: number; temperature: number; topP?: number; stop?: string[]; seed?: number };
}

export const DEFAULT_CONTEXT_SIZE = 2048;
export const DEFAULT_MAX_TOKENS = 256;
/** node-llama-cpp's suggested temperature; its own default (0, greedy) makes small models loop. */
export const DEFAULT_TEMPERATURE = 0.8;
const MAX_CONTEXT_SIZE = 1 << 20;
const MAX_CONCURRENCY = 64;
const MAX_SYSTEM_PROMPT_BYTES = 64 * 1024;
const GENERATION_ONLY = ['concurrency', 'max_tokens', 'temperature', 'top_p', 'stop', 'seed', 'chat_template', 'system_prompt'];
const KNOWN_KEYS = ['kind', 'context_size', 'concurrency', 'threads', 'max_tokens', 'temperature', 'top_p', 'stop', 'seed', 'chat_template', 'system_prompt'];

/**
 * Half the cores, at least one: ggml's worker threads spin while they wait, so a context using
 * every core of a busy machine slows down by 10x or more (measured: 2 threads on 2 shared cores
 * gave 4-8 tokens/s, 1 thread ~80 tokens/s with SmolLM2-135M).
 */
export function defaultThreads(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

/**
 * The GGUF path, relative to MODEL_CACHE_DIR. Absolute paths and `..` segments are refused so a
 * registered model cannot read files outside the cache.
 */
export function resolveModelPath(cacheDir: string, modelId: string, at = 'config'): string {
  const field = `${at}.model_id`;
  const segments = modelId.split(/[\\/]/);
  if (isAbsolute(modelId) || modelId.includes('\0') || segments.includes('..')) {
    throw errors.invalidArgument(field, 'must be a .gguf file path relative to MODEL_CACHE_DIR, without ".." segments');
  }
  if (!modelId.toLowerCase().endsWith('.gguf')) throw errors.invalidArgument(field, 'must name a .gguf file');
  const root = resolve(cacheDir);
  const path = resolve(root, modelId);
  const inside = relative(root, path);
  if (inside === '' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw errors.invalidArgument(field, 'must stay inside MODEL_CACHE_DIR');
  }
  return path;
}

/** Checks model id and parameters; INVALID_ARGUMENT names every bad parameter at once. */
export function parseLlamaSettings(config: ModelConfig, cacheDir: string, threads: number, at = 'config'): LlamaSettings {
  const modelPath = resolveModelPath(cacheDir, config.modelId, at);
  const p = config.parameters;
  const violations: FieldViolation[] = [];
  const bad = (key: string, message: string): void => {
    violations.push({ field: `${at}.parameters.${key}`, message });
  };
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const v = p[key] ?? fallback;
    if (Number.isInteger(v) && (v as number) >= min && (v as number) <= max) return v as number;
    bad(key, `must be an integer between ${min} and ${max}`);
    return fallback;
  };
  for (const key of Object.keys(p)) if (!KNOWN_KEYS.includes(key)) bad(key, `not a llamacpp parameter; supported: ${KNOWN_KEYS.join(', ')}`);
  if (p.kind !== undefined && p.kind !== 'generation' && p.kind !== 'reranker') bad('kind', "llamacpp models are 'generation' (the default) or 'reranker' models");
  const kind = p.kind === 'reranker' ? 'reranker' : 'generation';
  if (kind === 'reranker') {
    // One ranking context evaluates one pair at a time; the generation settings mean nothing to it.
    for (const key of GENERATION_ONLY) if (p[key] !== undefined) bad(key, "applies to kind 'generation' only");
  }
  const contextSize = int('context_size', DEFAULT_CONTEXT_SIZE, 16, MAX_CONTEXT_SIZE);
  const settings: LlamaSettings = {
    kind,
    modelPath,
    contextSize,
    concurrency: int('concurrency', 1, 1, MAX_CONCURRENCY),
    threads: int('threads', threads, 1, 1024),
    chatTemplate: true,
    systemPrompt: undefined,
    defaults: { maxTokens: int('max_tokens', Math.min(DEFAULT_MAX_TOKENS, contextSize), 1, contextSize), temperature: DEFAULT_TEMPERATURE },
  };
  if (p.chat_template !== undefined) {
    if (typeof p.chat_template === 'boolean') settings.chatTemplate = p.chat_template;
    else bad('chat_template', 'must be a boolean');
  }
  if (p.system_prompt !== undefined) {
    if (typeof p.system_prompt === 'string' && Buffer.byteLength(p.system_prompt) <= MAX_SYSTEM_PROMPT_BYTES) settings.systemPrompt = p.system_prompt;
    else bad('system_prompt', `must be a string of at most ${MAX_SYSTEM_PROMPT_BYTES} bytes`);
  }
  if (p.temperature !== undefined) {
    if (typeof p.temperature === 'number' && p.temperature >= 0 && p.temperature <= 2) settings.defaults.temperature = p.temperature;
    else bad('temperature', 'must be a number between 0 and 2');
  }
  if (p.top_p !== undefined) {
    if (typeof p.top_p === 'number' && p.top_p > 0 && p.top_p <= 1) settings.defaults.topP = p.top_p;
    else bad('top_p', 'must be a number in (0, 1]');
  }
  if (p.seed !== undefined) {
    if (Number.isInteger(p.seed) && (p.seed as number) >= 0 && (p.seed as number) <= 0xffffffff) settings.defaults.seed = p.seed as number;
    else bad('seed', 'must be an integer between 0 and 4294967295');
  }
  if (p.stop !== undefined) {
    const stop = typeof p.stop === 'string' ? [p.stop] : p.stop;
    if (Array.isArray(stop) && stop.length <= 8 && stop.every((s) => typeof s === 'string' && s.length > 0 && s.length <= 256)) settings.defaults.stop = stop as string[];
    else bad('stop', 'must be a non-empty string or an array of at most 8 of them');
  }
  if (violations.length > 0) throw errors.invalidArguments(violations);
  return settings;
}

/** The settings that shape a loaded model; a change means loading it again. */
export function loadKey(s: LlamaSettings): string {
  return JSON.stringify([s.kind, s.modelPath, s.contextSize, s.concurrency, s.threads, s.chatTemplate]);
}
