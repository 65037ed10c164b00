import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cpuSecondsOf } from './models-service';

/** What the soak watches in the service process between minutes (Linux /proc). */
export interface ProcSample {
  rssMiB: number;
  /** Open fds at the sample, and the least and most seen by the ProcWatch over the minute. */
  openFds: number;
  fdsMin: number;
  fdsMax: number;
  threads: number;
  cpuSeconds: number;
  /** Bytes under DATA_DIR: the collection's files, versions included, until compaction prunes them. */
  dataMiB: number;
}

export async function openFdsOf(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

function statusField(status: string, name: string): number {
  return Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
}

async function rssMiBOf(pid: number): Promise<number> {
  return statusField(await readFile(`/proc/${pid}/status`, 'utf8'), 'VmRSS') / 1024;
}

/**
 * The service's fd count and RSS every few seconds. One fd reading is noisy: the embedded store
 * opens data and manifest files for each read and write, so a busy moment shows dozens more than a
 * quiet one. A leak raises the floor, so the soak judges each minute's least count. The RSS
 * samples are the points of the second-half slope (bench/lib/soak-trend.ts).
 */
export class ProcWatch {
  private min = Infinity;
  private max = 0;
  /** [minutes since the load started, RSS in MiB], one per sample. */
  readonly rss: [number, number][] = [];

  constructor(
    private readonly pid: number,
    private readonly startedAt: number,
  ) {}

  async sample(): Promise<void> {
    const [n, rss] = await Promise.all([openFdsOf(this.pid).catch(() => undefined), rssMiBOf(this.pid).catch(() => undefined)]);
    if (n === undefined || rss === undefined) return; // The process is gone; the soak notices that separately.
    this.min = Math.min(this.min, n);
    this.max = Math.max(this.max, n);
    this.rss.push([(Date.now() - this.startedAt) / 60_000, rss]);
  }

  /** The minute's least and most, then a fresh minute. */
  cut(now: number): { fdsMin: number; fdsMax: number } {
    const out = { fdsMin: Math.min(this.min, now), fdsMax: Math.max(this.max, now) };
    this.min = Infinity;
    this.max = 0;
    return out;
  }
}

export async function sampleProcess(pid: number, dataDir: string, watch?: ProcWatch): Promise<ProcSample> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const openFds = await openFdsOf(pid);
  return {
    rssMiB: statusField(status, 'VmRSS') / 1024,
    openFds,
    ...(watch ? watch.cut(openFds) : { fdsMin: openFds, fdsMax: openFds }),
    threads: statusField(status, 'Threads'),
    cpuSeconds: cpuSecondsOf(pid),
    dataMiB: (await treeBytes(dataDir)) / 2 ** 20,
  };
}

/** Bytes of every file under `dir`. */
export async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0; // Removed while walking (compaction prunes files): it counts as gone.
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) total += await treeBytes(path);
    else total += await stat(path).then((s) => s.size, () => 0);
  }
  return total;
}

/** Resident memory of a process now and at its peak (VmRSS, VmHWM), in MiB. */
export async function memoryOf(pid: number): Promise<{ rssMiB: number; peakMiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { rssMiB: field('VmRSS'), peakMiB: field('VmHWM') };
}
