/** RFC 6750 §2.1: `Bearer <token>`, the scheme case-insensitive. Both doors read the key this way. */
const BEARER = /^Bearer +([^\s]+) *$/i;

/** The key in an Authorization value (HTTP header or gRPC metadata), or undefined when there is none. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  return BEARER.exec(authorization)?.[1];
}
