import { readFileSync } from 'node:fs';

/**
 * CPU seconds used so far by the benchmark process, the service process and the whole machine.
 * On a shared 2-core machine the benchmark client and the service compete for the same cores,
 * and anything else running skews the comparison; the "other" share makes that visible.
 */
export interface CpuSample {
  bench: number;
  service: number;
  machine: number;
}

/** Linux reports /proc times in clock ticks of 1/100 s (USER_HZ). */
const TICKS_PER_SECOND = 100;

export function sampleCpu(servicePid: number): CpuSample {
  const own = process.cpuUsage();
  return { bench: (own.user + own.system) / 1e6, service: processCpuSeconds(servicePid), machine: machineBusySeconds() };
}

/** CPU used between two samples; `other` is the machine's busy time used by neither process. */
export function cpuBetween(from: CpuSample, to: CpuSample): { bench: number; service: number; other: number } {
  const bench = to.bench - from.bench;
  const service = to.service - from.service;
  return { bench, service, other: Math.max(0, to.machine - from.machine - bench - service) };
}

/** utime + stime of /proc/<pid>/stat (fields 14 and 15): all threads of the process. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after it start past the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Busy time of all CPUs from the first line of /proc/stat (user nice system idle iowait irq softirq steal). */
function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
