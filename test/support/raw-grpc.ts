import * as http2 from 'node:http2';
import { Client, credentials, Metadata, type ServiceError, type StatusObject } from '@grpc/grpc-js';

/** How a call ended, as the client saw it. */
export interface Outcome {
  /** gRPC status code; -1 when the call got no status at all (reset stream, or our own timer fired). */
  code: number;
  details: string;
  /** Bytes of the trailers the client received (grpc-status-details-bin and the like). */
  trailerBytes: number;
}

/**
 * A grpc-js client that sends bytes as they are (identity serializers) to any path: message-level
 * cases with a real gRPC client, whatever the bytes decode to. No message size limits on our side,
 * so the server's limits are what is tested.
 */
export function rawClient(address: string): Client {
  return new Client(address, credentials.createInsecure(), {
    'grpc.max_send_message_length': -1,
    'grpc.max_receive_message_length': -1,
  });
}

const identity = (b: Buffer): Buffer => b;

/** One call with a deadline; server-streaming RPCs are read to their end. */
export function rawCall(client: Client, path: string, bytes: Buffer, options: { serverStreaming: boolean; deadlineMs: number }): Promise<Outcome> {
  const deadline = Date.now() + options.deadlineMs;
  const trailerBytes = (m: Metadata | undefined): number =>
    Object.entries(m?.toHttp2Headers() ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
  return new Promise((resolve) => {
    if (options.serverStreaming) {
      const call = client.makeServerStreamRequest(path, identity, identity, bytes, new Metadata(), { deadline });
      call.on('data', () => undefined);
      call.on('error', () => undefined);
      call.on('status', (s: StatusObject) => resolve({ code: s.code, details: s.details, trailerBytes: trailerBytes(s.metadata) }));
      return;
    }
    client.makeUnaryRequest(path, identity, identity, bytes, new Metadata(), { deadline }, (err: ServiceError | null) => {
      if (err) resolve({ code: err.code, details: err.details, trailerBytes: trailerBytes(err.metadata) });
      else resolve({ code: 0, details: '', trailerBytes: 0 });
    });
  });
}

/**
 * One HTTP/2 stream carrying exactly `body` (frame-level cases: prefixes that lie, cut prefixes,
 * compression flags). With `cancelAfterMs` the stream is reset (RST_STREAM CANCEL) instead of ended.
 * Resolves with the grpc-status of the trailers (or of trailers-only headers), or code -1 when the
 * stream closed without one; `timedOut` when nothing closed it within `timeoutMs`.
 */
export function http2Call(
  port: number,
  path: string,
  body: Buffer,
  options: { headers?: Record<string, string>; cancelAfterMs?: number; timeoutMs: number },
): Promise<Outcome & { timedOut: boolean }> {
  return new Promise((resolve) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    let code = -1;
    let details = '';
    let trailerBytes = 0;
    let timedOut = false;
    const read = (h: http2.IncomingHttpHeaders): void => {
      if (h['grpc-status'] === undefined) return;
      code = Number(h['grpc-status']);
      details = decodeURIComponent(String(h['grpc-message'] ?? ''));
      trailerBytes = Object.entries(h).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
    };
    const finish = (): void => {
      clearTimeout(timer);
      session.destroy();
      resolve({ code, details, trailerBytes, timedOut });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      finish();
    }, options.timeoutMs);
    session.on('error', () => undefined);
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...options.headers,
    });
    stream.on('response', read);
    stream.on('trailers', read);
    stream.on('data', () => undefined);
    stream.on('error', () => undefined);
    stream.on('close', finish);
    if (options.cancelAfterMs === undefined) stream.end(body);
    else {
      stream.write(body);
      setTimeout(() => stream.close(http2.constants.NGHTTP2_CANCEL), options.cancelAfterMs);
    }
  });
}
