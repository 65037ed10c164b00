import { errors, type FieldViolation } from '../../errors';
import { limits } from '../limits';
import { checkJsonSize } from '../check-json-size';
import { characterCount, isBlank, NON_BLANK_PATTERN } from '../text-rules';
import { matryoshkaViolations } from './matryoshka';
import { PROVIDERS, MODEL_KINDS, type GenerationParams, type ModelConfig, type ProviderName } from './model-types';

/** Model names travel in URL paths: no slashes, no spaces. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** http(s) and then no whitespace (NON_BLANK_PATTERN's set, which JSON Schema tools read alike). */
export const BASE_URL = new RegExp(`^https?://${NON_BLANK_PATTERN}+$`);
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Parameter names that would hold a secret; keys are named by `api_key_env` instead. */
export const SECRET_KEYS = /^(api[_-]?key|apikey|key|token|secret|password|authorization)$/i;

/** A ModelConfig as it arrives from either door. */
export interface ModelConfigInput {
  name?: string;
  provider?: string;
  modelId?: string;
  parameters?: Record<string, unknown> | null;
  enabled?: boolean;
}

export function checkModelName(name: string, field: string): void {
  if (!MODEL_NAME.test(name)) {
    throw errors.invalidArgument(field, 'must be 1-128 characters of letters, digits, ".", "_", ":" or "-", starting with a letter or digit');
  }
}

/** Shape and registry rules shared by every provider; provider-specific checks follow in the provider. */
export function parseModelConfig(input: ModelConfigInput | undefined, field = 'config'): ModelConfig {
  if (!input) throw errors.invalidArgument(field, 'is required');
  const name = input.name ?? '';
  checkModelName(name, `${field}.name`);
  const provider = input.provider ?? '';
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    throw errors.invalidArgument(`${field}.provider`, `unknown provider '${provider}'; supported: ${PROVIDERS.join(', ')}`);
  }
  const modelId = input.modelId ?? '';
  if (isBlank(modelId) || characterCount(modelId) > 512) throw errors.invalidArgument(`${field}.model_id`, 'must be 1-512 characters');
  const parameters = input.parameters ?? {};
  checkJsonSize(parameters, `${field}.parameters`, limits.maxModelParametersBytes);
  const violations = commonParameterViolations(parameters, `${field}.parameters`);
  if (violations.length > 0) throw errors.invalidArguments(violations);
  return { name, provider: provider as ProviderName, modelId, parameters: structuredClone(parameters), enabled: input.enabled ?? true };
}

function commonParameterViolations(p: Record<string, unknown>, at: string): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const key of Object.keys(p)) {
    if (SECRET_KEYS.test(key)) out.push({ field: `${at}.${key}`, message: 'secrets are never stored; put the key in an environment variable and name it in api_key_env' });
  }
  const kind = p.kind;
  if (kind !== undefined && !(MODEL_KINDS as readonly unknown[]).includes(kind)) {
    out.push({ field: `${at}.kind`, message: `must be one of ${MODEL_KINDS.join(', ')}` });
  }
  if (p.api_key_env !== undefined && (typeof p.api_key_env !== 'string' || !ENV_NAME.test(p.api_key_env))) {
    out.push({ field: `${at}.api_key_env`, message: 'must be an environment variable name' });
  }
  if (p.base_url !== undefined && (typeof p.base_url !== 'string' || !BASE_URL.test(p.base_url))) {
    out.push({ field: `${at}.base_url`, message: 'must be an http(s) URL' });
  }
  for (const key of ['context_size', 'dimensions', 'max_batch', 'concurrency', 'max_tokens']) {
    const v = p[key];
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1)) out.push({ field: `${at}.${key}`, message: 'must be a positive integer' });
  }
  out.push(...matryoshkaViolations(p, at));
  for (const [key, min, max] of [['temperature', 0, 2], ['top_p', 0, 1], ['timeout_ms', 1, 600_000]] as const) {
    const v = p[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)) {
      out.push({ field: `${at}.${key}`, message: `must be a number between ${min} and ${max}` });
    }
  }
  return out;
}

const GENERATION_KEYS = ['max_tokens', 'temperature', 'top_p', 'stop', 'seed'];

/**
 * Generation parameters of one call (CONVENTIONS.md). Unknown keys are rejected so typos do not
 * pass silently; `contextSize` bounds max_tokens.
 */
export function parseGenerationParams(raw: Record<string, unknown> | null | undefined, contextSize: number, field = 'parameters'): GenerationParams {
  const p = raw ?? {};
  const out: GenerationParams = {};
  const violations: FieldViolation[] = [];
  const bad = (key: string, message: string): void => {
    violations.push({ field: `${field}.${key}`, message });
  };
  for (const key of Object.keys(p)) if (!GENERATION_KEYS.includes(key)) bad(key, `unknown parameter; supported: ${GENERATION_KEYS.join(', ')}`);
  if (p.max_tokens !== undefined) {
    if (!Number.isInteger(p.max_tokens) || (p.max_tokens as number) < 1 || (p.max_tokens as number) > contextSize) bad('max_tokens', `must be an integer between 1 and the model's context (${contextSize})`);
    else out.maxTokens = p.max_tokens as number;
  }
  if (p.temperature !== undefined) {
    if (typeof p.temperature !== 'number' || !(p.temperature >= 0 && p.temperature <= 2)) bad('temperature', 'must be a number between 0 and 2');
    else out.temperature = p.temperature;
  }
  if (p.top_p !== undefined) {
    if (typeof p.top_p !== 'number' || !(p.top_p > 0 && p.top_p <= 1)) bad('top_p', 'must be a number in (0, 1]');
    else out.topP = p.top_p;
  }
  if (p.stop !== undefined) {
    const stop = typeof p.stop === 'string' ? [p.stop] : p.stop;
    if (!Array.isArray(stop) || stop.length > 8 || !stop.every((s) => typeof s === 'string' && s.length > 0 && s.length <= 256)) {
      bad('stop', 'must be a non-empty string or an array of at most 8 of them');
    } else out.stop = stop as string[];
  }
  if (p.seed !== undefined) {
    if (!Number.isInteger(p.seed) || (p.seed as number) < 0 || (p.seed as number) > 0xffffffff) bad('seed', 'must be an integer between 0 and 4294967295');
    else out.seed = p.seed as number;
  }
  if (violations.length > 0) throw errors.invalidArguments(violations);
  return out;
}

export function checkText(text: string, field: string, maxBytes: number): void {
  if (isBlank(text)) throw errors.invalidArgument(field, 'must not be empty');
  if (Buffer.byteLength(text, 'utf8') > maxBytes) throw errors.tooLarge(field, `at most ${maxBytes} bytes`);
}
