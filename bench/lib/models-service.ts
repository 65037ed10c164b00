import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort, waitReady } from './service-process';

/** A service-like child process on loopback: the real one (`node dist/main.js`) or the batch probe. */
export interface ModelsServiceProcess {
  readonly pid: number;
  readonly grpcAddress: string;
  readonly httpBase: string;
  /** Lines the child wrote to stdout (the probe answers through it). */
  readonly stdout: string[];
  /** Resolves when the process exits, however that happens (the soak watches for an early death). */
  readonly exited: Promise<ServiceExit>;
  /** SIGTERM, waits for the exit; SIGKILL only past `graceMs` (then `killed`). Safe to call twice. */
  stop(graceMs?: number): Promise<ServiceExit & { killed: boolean }>;
}

export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 120_000;

/**
 * Starts `node <args>` with the service's environment and waits for GET /readyz = 200, i.e. both
 * default models loaded. Ports are picked beforehand because LOG_LEVEL=warn hides the
 * 'taishang-ai listening' line that reports ports bound with 0.
 */
export async function startModelsService(opts: {
  repoRoot: string;
  args: string[];
  dataDir: string;
  modelCacheDir: string;
  /** LOG_LEVEL of the child (default warn); at info its per-call lines go to /dev/null unless piped. */
  logLevel?: string;
  /** 'ignore': the child's stdout goes to /dev/null, so a chatty log costs the bench nothing to read. */
  stdout?: 'pipe' | 'ignore';
}): Promise<ModelsServiceProcess> {
  const grpcPort = await freePort();
  let httpPort = await freePort();
  while (httpPort === grpcPort) httpPort = await freePort();
  const child = spawn(process.execPath, opts.args, {
    cwd: opts.repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST,
      GRPC_PORT: String(grpcPort),
      HTTP_PORT: String(httpPort),
      DATA_DIR: opts.dataDir,
      MODEL_CACHE_DIR: opts.modelCacheDir,
      LOG_LEVEL: opts.logLevel ?? 'warn',
    },
    stdio: ['ignore', opts.stdout ?? 'pipe', 'inherit'],
  });
  const stdout: string[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      stdout.push(line);
      // Warnings from the service (pino JSON) stay visible to whoever runs the bench.
      if (line.startsWith('{') && !line.includes('"probe"')) process.stderr.write(`[service] ${line}\n`);
    }
  });
  const exited = new Promise<ServiceExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const service = handle(child, exited, grpcPort, httpPort, stdout);
  try {
    await waitReady(child, exited.then(() => undefined), httpPort, READY_TIMEOUT_MS);
  } catch (cause) {
    await service.stop();
    throw cause;
  }
  return service;
}

function handle(child: ChildProcess, exited: Promise<ServiceExit>, grpcPort: number, httpPort: number, stdout: string[]): ModelsServiceProcess {
  const pid = child.pid;
  if (pid === undefined) throw new Error('the service process did not start');
  return {
    pid,
    grpcAddress: `${HOST}:${grpcPort}`,
    httpBase: `http://${HOST}:${httpPort}`,
    stdout,
    exited,
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return { ...(await exited), killed: false };
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
      ]);
      clearTimeout(timer);
      if (late) child.kill('SIGKILL');
      return { ...(await exited), killed: late };
    },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 elsewhere. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
