import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One ghz run against one server: what bench:overhead keeps of ghz's JSON report. */
export interface GhzRun {
  calls: number;
  ok: number;
  seconds: number;
  /** OK calls per second over the whole run (ghz's own `rps` counts failures too). */
  okPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Status name → calls; anything but OK is reported. */
  statuses: Record<string, number>;
}

export interface GhzLoad {
  /** `package.Service/Method`. */
  call: string;
  /** One request message as JSON, or an array of them (ghz sends them round-robin). */
  data: unknown;
  connections: number;
  concurrency: number;
  calls: number;
}

interface GhzReport {
  count: number;
  total: number;
  latencyDistribution: { percentage: number; latency: number }[] | null;
  statusCodeDistribution?: Record<string, number>;
}

/** scripts/install-ghz.sh puts it here (`npm run bench:overhead` runs that step first). */
export function ghzPath(repoRoot: string): string {
  const path = join(repoRoot, '.tools', 'bin', 'ghz');
  if (!existsSync(path)) throw new Error(`ghz not found at ${path}: run 'bash scripts/setup.sh ghz'`);
  return path;
}

/**
 * Runs ghz once (plaintext, loopback) with the call's descriptors from `protoset`, so both sides
 * are driven identically whether they serve reflection or not. Bounded by `calls` and by a
 * timeout of a minute per 1,000 calls.
 */
export async function runGhz(ghz: string, protoset: string, address: string, load: GhzLoad): Promise<GhzRun> {
  // Through a file: thousands of texts would pass the kernel's 128 KiB limit on one argument.
  const dir = await mkdtemp(join(tmpdir(), 'taishang-ghz-'));
  try {
    const dataFile = join(dir, 'data.json');
    await writeFile(dataFile, JSON.stringify(load.data));
    return await ghzOnce(ghz, protoset, address, dataFile, load);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function ghzOnce(ghz: string, protoset: string, address: string, dataFile: string, load: GhzLoad): Promise<GhzRun> {
  const args = [
    '--insecure',
    '--protoset',
    protoset,
    '--call',
    load.call,
    '--data-file',
    dataFile,
    '--connections',
    String(load.connections),
    '--concurrency',
    String(load.concurrency),
    '--total',
    String(load.calls),
    '--timeout',
    '20s',
    '--format',
    'json',
    address,
  ];
  const timeout = 60_000 * Math.max(1, Math.ceil(load.calls / 1000));
  return new Promise((resolve, reject) => {
    execFile(ghz, args, { timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && stdout.trim() === '') {
        reject(new Error(`ghz ${load.call} at ${address} failed: ${error.message} ${stderr.slice(0, 500)}`));
        return;
      }
      try {
        resolve(summarize(JSON.parse(stdout) as GhzReport));
      } catch (cause) {
        reject(new Error(`ghz ${load.call}: unreadable report (${String(cause)}): ${stdout.slice(0, 300)} ${stderr.slice(0, 300)}`));
      }
    });
  });
}

function summarize(report: GhzReport): GhzRun {
  const seconds = report.total / 1e9;
  const statuses = report.statusCodeDistribution ?? {};
  const ok = statuses.OK ?? 0;
  const at = (p: number): number => (report.latencyDistribution ?? []).find((d) => d.percentage === p)?.latency ?? NaN;
  return {
    calls: report.count,
    ok,
    seconds,
    okPerSec: seconds > 0 ? ok / seconds : 0,
    p50Ms: at(50) / 1e6,
    p99Ms: at(99) / 1e6,
    statuses,
  };
}
