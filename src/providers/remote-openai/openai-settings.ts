import type { ModelConfig, ModelKind } from '../../domain';
import { errors, type FieldViolation } from '../../errors';

/** A config's parameters after validation, with the documented defaults filled in. */
export interface OpenAiSettings {
  /** The API root endpoints hang off, without a trailing slash: `http://host:8000/v1`. */
  baseUrl: string;
  /** Environment variable holding the key; null when the server needs none. */
  apiKeyEnv: string | null;
  kind: ModelKind;
  /** Sent as `dimensions` on embedding calls, and checked against what comes back. */
  dimensions: number | null;
  contextSize: number;
  concurrency: number;
  maxBatch: number;
  timeoutMs: number | null;
  /** Generation defaults for calls that leave a setting out. */
  defaults: { maxTokens?: number; temperature?: number; topP?: number; stop?: string[]; seed?: number };
}

export const OPENAI_DEFAULTS = { contextSize: 8192, concurrency: 4, maxBatch: 64, timeoutMs: 60_000 } as const;

const KNOWN = ['base_url', 'api_key_env', 'kind', 'dimensions', 'context_size', 'concurrency', 'max_batch', 'timeout_ms', 'max_tokens', 'temperature', 'top_p', 'stop', 'seed'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * `base_url` is the API root, as the official SDKs' `baseURL`: `https://api.openai.com/v1`,
 * `http://localhost:11434/v1`, `http://host:8083/openai/v1`. A bare origin (no path) gets `/v1`,
 * since every compatible server we know serves there; any other path is used as given, because
 * some servers put the API elsewhere (`/openai/v1`, `/v1beta/openai`).
 */
export function normalizeBaseUrl(raw: string): string {
  const url = new URL(raw);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path === '' ? '/v1' : path;
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

/** The parameters' problems, each naming `config.parameters.x`; empty when the config is usable. */
export function settingViolations(parameters: Record<string, unknown>, at = 'config.parameters'): FieldViolation[] {
  const out: FieldViolation[] = [];
  const bad = (key: string, message: string) => out.push({ field: `${at}.${key}`, message });
  for (const key of Object.keys(parameters)) if (!KNOWN.includes(key)) bad(key, `unknown parameter of the openai provider; supported: ${KNOWN.join(', ')}`);
  const p = parameters;
  if (p.base_url === undefined) bad('base_url', 'is required: the API root of the OpenAI-compatible server, e.g. http://localhost:8000/v1');
  else if (typeof p.base_url !== 'string' || !isHttpUrl(p.base_url)) bad('base_url', 'must be an http(s) URL');
  if (p.api_key_env !== undefined && (typeof p.api_key_env !== 'string' || !ENV_NAME.test(p.api_key_env))) bad('api_key_env', 'must be an environment variable name');
  if (p.kind !== undefined && p.kind !== 'embedding' && p.kind !== 'generation' && p.kind !== 'reranker') bad('kind', "must be 'generation' (the default), 'embedding' or 'reranker'");
  for (const key of ['dimensions', 'context_size', 'concurrency', 'max_batch', 'max_tokens'] as const) {
    if (p[key] !== undefined && !isPositiveInt(p[key])) bad(key, 'must be a positive integer');
  }
  if (p.timeout_ms !== undefined && !(isPositiveInt(p.timeout_ms) && (p.timeout_ms as number) <= 600_000)) bad('timeout_ms', 'must be an integer between 1 and 600000');
  if (p.temperature !== undefined && !(typeof p.temperature === 'number' && p.temperature >= 0 && p.temperature <= 2)) bad('temperature', 'must be a number between 0 and 2');
  if (p.top_p !== undefined && !(typeof p.top_p === 'number' && p.top_p > 0 && p.top_p <= 1)) bad('top_p', 'must be a number in (0, 1]');
  if (p.stop !== undefined && stopList(p.stop) === null) bad('stop', 'must be a non-empty string or an array of at most 8 of them');
  if (p.seed !== undefined && !(Number.isInteger(p.seed) && (p.seed as number) >= 0 && (p.seed as number) <= 0xffffffff)) bad('seed', 'must be an integer between 0 and 4294967295');
  return out;
}

/** Settings of a config already in the registry; a config that slipped past validation still fails cleanly. */
export function settingsOf(config: ModelConfig): OpenAiSettings {
  const violations = settingViolations(config.parameters);
  if (violations.length > 0) throw errors.invalidArguments(violations);
  const p = config.parameters;
  const defaults: OpenAiSettings['defaults'] = {};
  if (p.max_tokens !== undefined) defaults.maxTokens = p.max_tokens as number;
  if (p.temperature !== undefined) defaults.temperature = p.temperature as number;
  if (p.top_p !== undefined) defaults.topP = p.top_p as number;
  if (p.stop !== undefined) defaults.stop = stopList(p.stop) ?? undefined;
  if (p.seed !== undefined) defaults.seed = p.seed as number;
  return {
    baseUrl: normalizeBaseUrl(p.base_url as string),
    apiKeyEnv: (p.api_key_env as string | undefined) ?? null,
    kind: p.kind === 'embedding' || p.kind === 'reranker' ? p.kind : 'generation',
    dimensions: (p.dimensions as number | undefined) ?? null,
    contextSize: (p.context_size as number | undefined) ?? OPENAI_DEFAULTS.contextSize,
    concurrency: (p.concurrency as number | undefined) ?? OPENAI_DEFAULTS.concurrency,
    maxBatch: (p.max_batch as number | undefined) ?? OPENAI_DEFAULTS.maxBatch,
    timeoutMs: (p.timeout_ms as number | undefined) ?? null,
    defaults,
  };
}

/**
 * The Authorization header value, read from the environment snapshot at call time. A named but
 * missing variable is a deployment problem, not a bad request: FAILED_PRECONDITION naming it.
 */
export function authorizationOf(settings: OpenAiSettings, env: Record<string, string | undefined>): string | null {
  if (settings.apiKeyEnv === null) return null;
  const key = env[settings.apiKeyEnv];
  if (key === undefined || key.trim() === '') {
    throw errors.failedPrecondition(`environment variable ${settings.apiKeyEnv} (named by parameters.api_key_env) is not set; set it to the provider's API key and restart`);
  }
  return `Bearer ${key.trim()}`;
}

function stopList(value: unknown): string[] | null {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.length > 8) return null;
  return list.every((s) => typeof s === 'string' && s.length > 0) ? (list as string[]) : null;
}

function isPositiveInt(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) >= 1;
}

function isHttpUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
  } catch {
    return false;
  }
}
