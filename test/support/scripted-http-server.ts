import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export type Script = (req: SeenRequest, res: ServerResponse) => unknown;

/**
 * A loopback HTTP server whose answers a test scripts, for the error paths a real server will not
 * produce on demand (401, 429, 5xx, a hang). It records every request and whether the client
 * aborted it. Bound to 127.0.0.1 only.
 */
export class ScriptedHttpServer {
  readonly seen: SeenRequest[] = [];
  /** Requests whose client went away before the answer was complete. */
  aborted = 0;
  script: Script = (_req, res) => res.writeHead(500).end();
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(): Promise<ScriptedHttpServer> {
    const s = new ScriptedHttpServer();
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: text === '' ? undefined : JSON.parse(text) };
    this.seen.push(seen);
    res.once('close', () => {
      if (!res.writableFinished) this.aborted += 1;
    });
    await this.script(seen, res);
  }
}

/** Answers with a JSON body. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
