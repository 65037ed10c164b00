import { percentile } from './measure';

/** Latencies and failures of the calls that ended in one stretch of time (a minute, or the whole run). */
export interface SoakWindow {
  seconds: number;
  /** op name → latencies of its successful calls, ms. */
  latencies: Map<string, number[]>;
  /** `op name|code` → count. */
  errors: Map<string, number>;
}

export interface OpFigures {
  calls: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** Counts each call into the current minute and the whole run; `cut` closes the minute. */
export class SoakRecorder {
  private current: SoakWindow;
  private currentStart: number;
  readonly total: SoakWindow;
  private readonly totalStart: number;
  /** The first few failure messages, to say what went wrong without flooding the report. */
  readonly samples: { at: string; op: string; code: string; message: string }[] = [];

  constructor(now = Date.now()) {
    this.current = emptyWindow();
    this.currentStart = now;
    this.total = emptyWindow();
    this.totalStart = now;
  }

  ok(op: string, ms: number): void {
    push(this.current.latencies, op, ms);
    push(this.total.latencies, op, ms);
  }

  fail(op: string, code: string, message: string): void {
    const key = `${op}|${code}`;
    this.current.errors.set(key, (this.current.errors.get(key) ?? 0) + 1);
    this.total.errors.set(key, (this.total.errors.get(key) ?? 0) + 1);
    if (this.samples.length < 20) this.samples.push({ at: new Date().toISOString(), op, code, message });
  }

  cut(now = Date.now()): SoakWindow {
    const done = { ...this.current, seconds: (now - this.currentStart) / 1000 };
    this.current = emptyWindow();
    this.currentStart = now;
    return done;
  }

  finish(now = Date.now()): SoakWindow {
    return { ...this.total, seconds: (now - this.totalStart) / 1000 };
  }
}

function emptyWindow(): SoakWindow {
  return { seconds: 0, latencies: new Map(), errors: new Map() };
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Figures for the ops `select` keeps, merged (one op, a group of ops, or all). */
export function figures(window: SoakWindow, select: (op: string) => boolean): OpFigures {
  const latencies = [...window.latencies].filter(([op]) => select(op)).flatMap(([, l]) => l).sort((a, b) => a - b);
  const errors = [...window.errors].filter(([key]) => select(key.split('|')[0]!)).reduce((n, [, c]) => n + c, 0);
  const calls = latencies.length + errors;
  return {
    calls,
    perSec: window.seconds > 0 ? calls / window.seconds : 0,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
  };
}

/** `op code ×n` for every failure in the window, or `0`. */
export function errorText(window: SoakWindow): string {
  if (window.errors.size === 0) return '0';
  return [...window.errors].map(([key, n]) => `${key.replace('|', ' ')} x${n}`).join('; ');
}
