import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { createChannel, createClient, type Channel } from 'nice-grpc';
import { VectorServiceDefinition, type VectorServiceClient } from '../../src/gen/taishang/ai/v1/vector_service';

const ROOT = join(__dirname, '..', '..');

/** The real service as a separate process (dist/main.js, the build `npm start` runs). */
export interface ServiceProcess {
  child: ChildProcess;
  grpcPort: number;
  httpPort: number;
  baseUrl: string;
  channel: Channel;
  vectors: VectorServiceClient;
  logs: Record<string, unknown>[];
  /** Everything the process wrote, unparsed (for checks that something never appears). */
  stdout: string[];
  stderr: string[];
  /** Resolves on the first log line matching the predicate (bounded by `timeoutMs`). */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL, then closes the client channel: answers already on the wire are still read. */
  crash(): Promise<void>;
}

/**
 * For a test that never generates text and embeds little: the default text model is registered
 * disabled, so the start loads no GGUF (about 3.5 CPU-s instead of 6; README, TEXT_MODEL_ENABLED),
 * and the embedding model runs on one thread, so its weights load once (about 0.5 CPU-s less;
 * EMBEDDING_THREADS).
 */
export const LIGHT_START: Readonly<Record<string, string>> = { TEXT_MODEL_ENABLED: 'false', EMBEDDING_THREADS: '1' };

/**
 * dist/ is built from the current sources by scripts/ensure-dist.js, which the tiers run first and
 * jest runs as globalSetup (jest.config.js), so a test never starts an older build than the code.
 */
export function runMain(env: Record<string, string>): ChildProcess {
  // node itself (no npm wrapper), so signals and exit codes are the service's own.
  return spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', GRPC_PORT: '0', HTTP_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function exitCode(child: ChildProcess): Promise<number | null> {
  // A process killed by a signal has exitCode null and signalCode set: it has exited too.
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** How a test client reaches a service started with TLS_*: the CA to trust, and a client certificate for mutual TLS. */
export interface ClientTls {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export async function startService(dataDir: string, env: Record<string, string> = {}, tls?: ClientTls): Promise<ServiceProcess> {
  const child = runMain({ DATA_DIR: dataDir, ...env });
  const logs: Record<string, unknown>[] = [];
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout.push(chunk.toString('utf8'));
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const text of lines) {
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      logs.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));

  const waitForLog = (match: (l: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Record<string, unknown>> => {
    const seen = logs.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${stderr.join('')}`)), timeoutMs);
      waiters.push({ match, resolve: (l) => { clearTimeout(timer); resolve(l); } });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`service exited with ${code}: ${stderr.join('')}`)); });
    });
  };

  let listening: Record<string, unknown>;
  try {
    listening = await waitForLog((l) => l.msg === 'taishang-ai listening', 60_000);
    await waitUntilReady(`${tls ? 'https' : 'http'}://127.0.0.1:${listening.httpPort as number}`, child, tls);
  } catch (cause) {
    // A service that never became ready must not outlive the test that gave up on it.
    child.kill('SIGKILL');
    throw cause;
  }
  const grpcPort = listening.grpcPort as number;
  const httpPort = listening.httpPort as number;
  const baseUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${httpPort}`;
  const channel = createChannel(`127.0.0.1:${grpcPort}`, tls && credentials.createSsl(tls.ca, tls.key ?? null, tls.cert ?? null));
  return {
    child,
    grpcPort,
    httpPort,
    baseUrl,
    channel,
    vectors: createClient(VectorServiceDefinition, channel),
    logs,
    stdout,
    stderr,
    waitForLog,
    async stop(signal = 'SIGTERM') {
      channel.close();
      const done = exitCode(child);
      child.kill(signal);
      return done;
    },
    async crash() {
      const done = exitCode(child);
      child.kill('SIGKILL');
      await done;
      channel.close();
    },
  };
}

/** Polls /readyz (the store and the default models loaded); bounded to 60 s. */
async function waitUntilReady(baseUrl: string, child: ChildProcess, tls?: ClientTls): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode} before it was ready`);
    const status = tls ? await httpsStatus(`${baseUrl}/readyz`, tls) : (await fetch(`${baseUrl}/readyz`).catch(() => undefined))?.status;
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('service not ready within 60 s');
}

/** GET over HTTPS trusting the test CA (fetch cannot be given one); undefined when the call fails. */
export function httpsStatus(url: string, tls: ClientTls): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = httpsGet(url, { ca: tls.ca, cert: tls.cert, key: tls.key }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
  });
}

/** POST/PUT/GET JSON over real HTTP. */
export async function rest(baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(baseUrl + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}
