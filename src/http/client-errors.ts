import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errors, type DomainError } from '../errors';
import { fromDomainError, PROBLEM_JSON } from './problem-details';

/** Node's limit on the request line and headers together (its `--max-http-header-size` default). */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (Fastify's `clientErrorHandler`):
 * answered as problem+json like every other failure, not with Fastify's own JSON. A request line
 * and headers over 16 KiB (say, a query string carrying an over-long page_token) is 431 Request
 * Header Fields Too Large with RESOURCE_EXHAUSTED (a request over a size limit, as 413 is for
 * bodies); a request not received in time is 408; anything else unparsable is 400.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // The connection is gone: nothing to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, failure] = classify(error.code);
  const body = JSON.stringify(fromDomainError(failure, status).problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_JSON}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

function classify(code: string | undefined): [number, DomainError] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, errors.tooLarge('headers', `the request line and headers exceed ${MAX_HEADER_BYTES} bytes`)];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, errors.deadlineExceeded()];
  return [400, errors.invalidArgument('request', 'not a valid HTTP/1.1 request')];
}
