import { createHash } from 'node:crypto';
import { errors } from '../../errors';
import { limits } from '../limits';
import type { Declaration } from '../ports/vector-store';

/**
 * ListVectors' page tokens (AIP-158): opaque to callers, they carry where the listing stopped and
 * what it lists, so a token is only good for the listing that issued it.
 *
 * A token is base64url of an 8-byte check followed by JSON `[1, collection, createdAt, filter, lastId]`:
 * the collection the listing reads (its own name, also when listed through an alias), its creation
 * time (a collection dropped and created again under that name is another collection), a digest of
 * the filter, and the last id returned. The check is the first bytes of a SHA-256 of the rest: it
 * catches a token that was cut, mangled or made up, not a forged one. No secret is needed: a
 * token holds nothing its caller has not seen (a collection it may read, an id it was sent), and
 * a forged one could only start a listing it may make anyway at an id of its choosing. Without a
 * secret, tokens stay valid across restarts and across replicas sharing a Milvus, which a
 * per-process or per-data-dir key would break.
 */
interface TokenState {
  collection: string;
  createdAt: number;
  filter: string;
  lastId: string;
}

const VERSION = 1;
const CHECK_BYTES = 8;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const FIELD = 'page_token';

/** A digest of the filter as sent, its keys in sorted order: the same filter written in another key order lists the same records. */
export function filterDigest(filter: Record<string, unknown> | null | undefined): string {
  const canonical = filter === null || filter === undefined || Object.keys(filter).length === 0 ? 'null' : JSON.stringify(sortedKeys(filter));
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

export function encodePageToken(state: TokenState): string {
  const body = Buffer.from(JSON.stringify([VERSION, state.collection, state.createdAt, state.filter, state.lastId]), 'utf8');
  return Buffer.concat([check(body), body]).toString('base64url');
}

/**
 * What a token says, checked for everything knowable before the store's trip: that it is one of
 * ours, whole, and from a listing with the same filter. Its collection is checked by `checkPageTokenCollection`
 * against the declaration the store reads.
 */
export function decodePageToken(token: string, filter: string): TokenState {
  const state = token.length <= limits.maxPageTokenLength && BASE64URL.test(token) ? parse(Buffer.from(token, 'base64url')) : undefined;
  if (state === undefined) throw errors.invalidArgument(FIELD, 'not a page token of this service; send next_page_token back unchanged');
  if (state.filter !== filter) throw errors.invalidArgument(FIELD, 'the token belongs to a listing with another filter; send the same filter with every page');
  return state;
}

/** Inside the store's trip: the token must come from a listing of the collection the name resolves to now. */
export function checkPageTokenCollection(state: TokenState, declared: Declaration): void {
  if (state.collection !== declared.name) {
    throw errors.invalidArgument(FIELD, `the token belongs to a listing of collection '${state.collection}', not of '${declared.name}'; list again without a token`);
  }
  if (state.createdAt !== declared.createdAt) {
    throw errors.invalidArgument(FIELD, `the token belongs to an earlier collection named '${declared.name}' (dropped and created again since); list again without a token`);
  }
}

function parse(raw: Buffer): TokenState | undefined {
  if (raw.length <= CHECK_BYTES) return undefined;
  const body = raw.subarray(CHECK_BYTES);
  if (!check(body).equals(raw.subarray(0, CHECK_BYTES))) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 5 || value[0] !== VERSION) return undefined;
  const [, collection, createdAt, filter, lastId] = value as unknown[];
  if (typeof collection !== 'string' || typeof createdAt !== 'number' || typeof filter !== 'string' || typeof lastId !== 'string' || lastId === '') return undefined;
  return { collection, createdAt, filter, lastId };
}

function check(body: Buffer): Buffer {
  return createHash('sha256').update('taishang.page_token\n').update(body).digest().subarray(0, CHECK_BYTES);
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]));
}
