import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The real service (`node dist/main.js`) as a child process, loopback only. */
export interface ServiceProcess {
  readonly pid: number;
  readonly grpcAddress: string;
  readonly httpPort: number;
  readonly dataDir: string;
  /** SIGTERM, then waits for exit; SIGKILL only if it outlives `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;

/** An ephemeral port the kernel considers free right now (bound and released on 127.0.0.1). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** `nodeArgs`: extra flags for the service's node, e.g. `--cpu-prof` to profile it under load. */
export async function startService(opts: { repoRoot: string; dataDir: string; nodeArgs?: readonly string[] }): Promise<ServiceProcess> {
  const grpcPort = await freePort();
  let httpPort = await freePort();
  while (httpPort === grpcPort) httpPort = await freePort();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), join(opts.repoRoot, 'dist', 'main.js')], {
    cwd: opts.repoRoot,
    env: {
      ...process.env,
      HOST,
      GRPC_PORT: String(grpcPort),
      HTTP_PORT: String(httpPort),
      DATA_DIR: opts.dataDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const service = handle(child, exited, { grpcPort, httpPort, dataDir: opts.dataDir });
  try {
    await waitReady(child, exited, httpPort);
  } catch (cause) {
    await service.stop();
    throw cause;
  }
  return service;
}

function handle(child: ChildProcess, exited: Promise<void>, ports: { grpcPort: number; httpPort: number; dataDir: string }): ServiceProcess {
  const pid = child.pid;
  if (pid === undefined) throw new Error('the service process did not start');
  return {
    pid,
    grpcAddress: `${HOST}:${ports.grpcPort}`,
    httpPort: ports.httpPort,
    dataDir: ports.dataDir,
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      });
      const late = await Promise.race([exited.then(() => false), timedOut]);
      clearTimeout(timer);
      if (late) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Polls GET /readyz until 200; fails fast if the process exits, and after `timeoutMs`. */
export async function waitReady(child: ChildProcess, exited: Promise<void>, httpPort: number, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the service exited during start (code ${String(child.exitCode)}, signal ${String(child.signalCode)})`);
    if ((await statusOf(`http://${HOST}:${httpPort}/readyz`)) === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the service was not ready within ${timeoutMs} ms`);
}

function statusOf(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}
