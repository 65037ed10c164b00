import { Agent, request, type IncomingMessage } from 'node:http';
import { ClientError, Status, createChannel, createClient, type Channel } from 'nice-grpc';
import { ModelServiceDefinition, type ModelServiceClient } from '../../src/gen/taishang/ai/v1/model_service';
import { VectorServiceDefinition, type VectorServiceClient } from '../../src/gen/taishang/ai/v1/vector_service';

/**
 * A failed soak call, by a short code that groups alike failures in the report: `HTTP 429
 * RESOURCE_EXHAUSTED`, `gRPC UNAVAILABLE`, `transport ECONNRESET`, `check <what>`.
 */
export class SoakCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The answer of one REST call: its status and parsed JSON body. */
export interface RestAnswer {
  status: number;
  body: unknown;
}

/** A generous per-call bound: nothing a soak call does should take this long, but nothing may hang. */
export const CALL_TIMEOUT_MS = 120_000;

/**
 * REST over node:http with one keep-alive socket per worker. `fresh` sends the call on a new
 * connection closed afterwards, so connection set-up and teardown (and the service's socket fds)
 * are exercised too.
 */
export class RestClient {
  private readonly agent: Agent;

  constructor(
    private readonly host: string,
    private readonly port: number,
    maxSockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  async json(method: string, path: string, payload: unknown, fresh = false): Promise<RestAnswer> {
    const res = await this.send(method, path, payload, fresh);
    const text = await readAll(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw httpError(method, path, status, text);
    return { status, body: text === '' ? undefined : JSON.parse(text) };
  }

  /** An SSE call: `onEvent` gets each `data:` JSON; returning false stops reading (the client hangs up). */
  async events(path: string, payload: unknown, onEvent: (data: Record<string, unknown>, event: string) => boolean, fresh = false): Promise<void> {
    const res = await this.send('POST', path, payload, fresh);
    const status = res.statusCode ?? 0;
    if (status !== 200) throw httpError('POST', path, status, await readAll(res));
    let buffer = '';
    for await (const chunk of res) {
      buffer += (chunk as Buffer).toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data === undefined) continue;
        if (!onEvent(JSON.parse(data) as Record<string, unknown>, event)) {
          res.destroy();
          return;
        }
      }
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, payload: unknown, fresh: boolean): Promise<IncomingMessage> {
    const data = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload));
    const headers: Record<string, string | number> = data ? { 'content-type': 'application/json', 'content-length': data.length } : {};
    if (fresh) headers.connection = 'close';
    return new Promise((resolve, reject) => {
      const req = request({ agent: fresh ? false : this.agent, host: this.host, port: this.port, method, path, headers, timeout: CALL_TIMEOUT_MS }, resolve);
      req.on('timeout', () => req.destroy(new SoakCallError('transport timeout', `${method} ${path}: no answer within ${CALL_TIMEOUT_MS} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => reject(err instanceof SoakCallError ? err : new SoakCallError(`transport ${err.code ?? err.name}`, `${method} ${path}: ${err.message}`)));
      req.end(data);
    });
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', (err: NodeJS.ErrnoException) => reject(new SoakCallError(`transport ${err.code ?? err.name}`, err.message)));
  });
}

function httpError(method: string, path: string, status: number, text: string): SoakCallError {
  let code = '';
  try {
    code = String((JSON.parse(text) as { code?: unknown }).code ?? '');
  } catch {
    // Not a problem document: the status alone names it.
  }
  return new SoakCallError(`HTTP ${status}${code ? ` ${code}` : ''}`, `${method} ${path}: ${status} ${text.slice(0, 300)}`);
}

/** Both gRPC services over one channel (one HTTP/2 connection), as a client process would hold them. */
export interface GrpcClients {
  vectors: VectorServiceClient;
  models: ModelServiceClient;
  close(): void;
}

export function openGrpc(address: string): GrpcClients {
  const channel: Channel = createChannel(address);
  return {
    vectors: createClient(VectorServiceDefinition, channel),
    models: createClient(ModelServiceDefinition, channel),
    close: () => channel.close(),
  };
}

/** Runs a gRPC call under the soak's deadline, mapping failures to a SoakCallError. */
export async function grpcCall<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(CALL_TIMEOUT_MS);
  try {
    return await call(signal);
  } catch (err) {
    if (err instanceof SoakCallError) throw err;
    if (err instanceof ClientError) throw new SoakCallError(`gRPC ${Status[err.code]}`, `${what}: ${err.details}`);
    if (signal.aborted) throw new SoakCallError('transport timeout', `${what}: no answer within ${CALL_TIMEOUT_MS} ms`);
    throw new SoakCallError(`transport ${(err as Error).name}`, `${what}: ${(err as Error).message}`);
  }
}
