import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const ROLE_NAMES = ['read', 'write', 'admin'] as const;
type RoleName = (typeof ROLE_NAMES)[number];

/** A configured key as the rest of the service sees it: its name and digest, never the key. */
export interface ApiKeyConfig {
  name: string;
  sha256: string;
  roles: RoleName[];
  rateLimitPerSecond?: number;
}

/** At least 16 characters; `,` and `:` separate entries and roles in API_KEYS, so neither may appear. */
const KEY_SHAPE = /^[^\s,:]{16,}$/;
const NAME_SHAPE = /^[A-Za-z0-9._-]{1,64}$/;
const SHA256_SHAPE = /^[0-9a-fA-F]{64}$/;
const FILE_FIELDS = new Set(['name', 'key', 'sha256', 'roles', 'rate_limit_per_second']);

/**
 * API_KEYS (`KEY` or `KEY:read+write`, comma-separated; a bare key has every role) and
 * API_KEYS_FILE (a JSON array of {name, key | sha256, roles, rate_limit_per_second?}), read once.
 * Problems name an entry by its position or name and never echo a key.
 */
export function loadApiKeys(env: Record<string, string | undefined>): { keys: ApiKeyConfig[]; problems: string[] } {
  const keys: ApiKeyConfig[] = [];
  const problems: string[] = [];
  const source: string[] = [];
  (env.API_KEYS ?? '').split(',').forEach((raw, i) => {
    const entry = raw.trim();
    if (entry === '') return;
    const where = `API_KEYS entry ${i + 1}`;
    const colon = entry.indexOf(':');
    const key = colon === -1 ? entry : entry.slice(0, colon);
    if (!KEY_SHAPE.test(key)) {
      problems.push(`${where}: a key must be at least 16 characters without whitespace, ',' or ':'`);
      return;
    }
    const roles = colon === -1 ? [...ROLE_NAMES] : parseRoles(entry.slice(colon + 1).split('+'), where, problems);
    if (roles === undefined) return;
    const sha256 = digestOf(key);
    keys.push({ name: `key-${sha256.slice(0, 8)}`, sha256, roles });
    source.push(where);
  });
  const file = env.API_KEYS_FILE;
  if (file !== undefined && file !== '') {
    for (const [entry, where] of readKeysFile(file, problems)) {
      keys.push(entry);
      source.push(where);
    }
  }
  // A repeated key or name would make logs and rate limits ambiguous about who called.
  keys.forEach((k, i) => {
    const first = keys.findIndex((o) => o.sha256 === k.sha256);
    if (first < i) problems.push(`${source[i]} repeats the key of ${source[first]}`);
    else if (keys.findIndex((o) => o.name === k.name) < i) problems.push(`${source[i]}: name '${k.name}' is taken`);
  });
  return { keys, problems };
}

function readKeysFile(path: string, problems: string[]): [ApiKeyConfig, string][] {
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    // JSON.parse's message may quote the file's text, keys included: only say what kind of failure.
    const reason = e instanceof SyntaxError ? 'not valid JSON' : `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
    problems.push(`API_KEYS_FILE ${path}: ${reason}`);
    return [];
  }
  if (!Array.isArray(entries)) {
    problems.push(`API_KEYS_FILE ${path}: expected a JSON array of {name, key or sha256, roles}`);
    return [];
  }
  const out: [ApiKeyConfig, string][] = [];
  entries.forEach((value: unknown, i) => {
    const where = `API_KEYS_FILE entry ${i + 1}`;
    const entry = fileEntry(value, where, problems);
    if (entry !== undefined) out.push([entry, where]);
  });
  return out;
}

function fileEntry(value: unknown, where: string, problems: string[]): ApiKeyConfig | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${where}: expected an object`);
    return undefined;
  }
  const e = value as Record<string, unknown>;
  const before = problems.length;
  const unknown = Object.keys(e).filter((k) => !FILE_FIELDS.has(k));
  if (unknown.length > 0) problems.push(`${where}: unknown field(s) ${unknown.join(', ')}`);
  if (typeof e.name !== 'string' || !NAME_SHAPE.test(e.name)) problems.push(`${where}: name must be 1-64 letters, digits, '.', '_' or '-'`);
  let sha256: string | undefined;
  if ((e.key === undefined) === (e.sha256 === undefined)) problems.push(`${where}: give exactly one of key and sha256`);
  else if (e.key !== undefined) {
    if (typeof e.key === 'string' && KEY_SHAPE.test(e.key)) sha256 = digestOf(e.key);
    else problems.push(`${where}: key must be at least 16 characters without whitespace, ',' or ':'`);
  } else if (typeof e.sha256 === 'string' && SHA256_SHAPE.test(e.sha256)) sha256 = e.sha256.toLowerCase();
  else problems.push(`${where}: sha256 must be 64 hex digits`);
  const roles = Array.isArray(e.roles) && e.roles.every((r) => typeof r === 'string')
    ? parseRoles(e.roles as string[], where, problems)
    : (problems.push(`${where}: roles must be a non-empty array of read, write, admin`), undefined);
  const rate = e.rate_limit_per_second;
  if (rate !== undefined && (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0)) {
    problems.push(`${where}: rate_limit_per_second must be a number >= 0`);
  }
  if (problems.length > before || sha256 === undefined || roles === undefined) return undefined;
  return { name: e.name as string, sha256, roles, ...(rate === undefined ? {} : { rateLimitPerSecond: rate as number }) };
}

function parseRoles(names: string[], where: string, problems: string[]): RoleName[] | undefined {
  const roles = names.map((r) => r.trim());
  const bad = roles.filter((r) => !(ROLE_NAMES as readonly string[]).includes(r));
  if (roles.length === 0 || bad.length > 0) {
    problems.push(`${where}: roles must be a non-empty '+'-joined or listed subset of read, write, admin`);
    return undefined;
  }
  return [...new Set(roles as RoleName[])];
}

function digestOf(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
