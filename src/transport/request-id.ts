import { randomUUID } from 'node:crypto';

/** The header (REST) and metadata key (gRPC) carrying a call's id, in and out. */
export const REQUEST_ID_KEY = 'x-request-id';

/** Incoming ids are echoed into logs and headers, so only short, plain ones are trusted. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:+/=-]{1,128}$/;

/** The id a call is logged and answered under, on either door: the caller's when safe, else a fresh UUID. */
export function requestIdOf(incoming: string | undefined): string {
  return incoming !== undefined && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
