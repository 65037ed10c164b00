import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cpuSecondsOf } from './models-service';

/** What the soak watches in the service process between minutes (Linux /proc). */
export interface ProcSample {
  rssMiB: number;
  openFds: number;
  threads: number;
  cpuSeconds: number;
  /** Bytes under DATA_DIR: the collection's files, versions included, until compaction prunes them. */
  dataMiB: number;
}

export async function sampleProcess(pid: number, dataDir: string): Promise<ProcSample> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return {
    rssMiB: field('VmRSS') / 1024,
    openFds: (await readdir(`/proc/${pid}/fd`)).length,
    threads: field('Threads'),
    cpuSeconds: cpuSecondsOf(pid),
    dataMiB: (await treeBytes(dataDir)) / 2 ** 20,
  };
}

async function treeBytes(dir: string): Promise<number> {
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
