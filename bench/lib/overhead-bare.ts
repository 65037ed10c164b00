import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** A bare grpc-js server (overhead-bare-main.ts, ingest-bare-main.ts) as a child process on loopback. */
export interface BareServer {
  readonly pid: number;
  readonly address: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

/**
 * Starts `bench/lib/<script>` under plain node (tsx only loads it) and waits for the `{"port":N}`
 * line; `env` is added to PATH and HOME.
 */
export async function startBareServer(repoRoot: string, script: string, env: Record<string, string> = {}): Promise<BareServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', 'lib', script)], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`the bare grpc-js server did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const line = seen.split('\n').find((l) => l.startsWith('{"port"'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the bare grpc-js server exited during start (code ${String(child.exitCode)})`));
    });
  });
  const pid = child.pid!;
  return {
    pid,
    address: `127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
