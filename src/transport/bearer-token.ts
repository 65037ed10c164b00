import type { PresentedKey } from '../domain';

/** RFC 6750 §2.1: `Bearer <token>`, the scheme case-insensitive. Both doors read the key this way. */
const BEARER = /^Bearer +([^\s]+) *$/i;

/** What an Authorization value (HTTP header or gRPC metadata) presents, in the domain's words. */
export function presentedKey(authorization: string | undefined): PresentedKey {
  if (authorization === undefined) return { kind: 'none' };
  const key = BEARER.exec(authorization)?.[1];
  return key === undefined ? { kind: 'malformed' } : { kind: 'key', key };
}
