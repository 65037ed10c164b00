import type { ErrorCode } from '../../../src/errors';
import { EMPTY_OVER_GRPC, type Op } from './calls';
import type { Door, Outcome } from './doors';
import type { Expected, ParityCase, Step } from './parity-case';

/**
 * CONVENTIONS.md's code table, written out here on purpose: the doors' own tables
 * (src/grpc/status-table.ts, src/http/http-status-table.ts) are what this suite checks, so a
 * wrong entry in either makes every case with that code fail on that door.
 */
const CONVENTIONS: Record<ErrorCode, { grpc: number; http: number }> = {
  INVALID_ARGUMENT: { grpc: 3, http: 400 },
  NOT_FOUND: { grpc: 5, http: 404 },
  ALREADY_EXISTS: { grpc: 6, http: 409 },
  FAILED_PRECONDITION: { grpc: 9, http: 400 },
  RESOURCE_EXHAUSTED: { grpc: 8, http: 429 },
  UNAUTHENTICATED: { grpc: 16, http: 401 },
  PERMISSION_DENIED: { grpc: 7, http: 403 },
  UNAVAILABLE: { grpc: 14, http: 503 },
  DEADLINE_EXCEEDED: { grpc: 4, http: 504 },
  CANCELLED: { grpc: 1, http: 499 },
  INTERNAL: { grpc: 13, http: 500 },
  DATA_LOSS: { grpc: 15, http: 400 },
};

export interface ParityHooks {
  /** The doors every case runs through, in order. */
  doors(): Door[];
  /** Reads the fixtures back through `door` after a case (and its reset): stored data intact. */
  readBack(door: Door): Promise<void>;
  /**
   * What a refused call must leave as it was, read through `door` (the collection list, the
   * registry): taken after `given`, compared after the case's steps.
   */
  snapshot(door: Door): Promise<unknown>;
  /** Puts the app back to its fixtures, through the domain, before the next door or case. */
  reset(): Promise<void>;
}

/** Operations each door answered successfully in a checked step, for the coverage test. */
export const reached: Record<Door['name'], Set<Op>> = { grpc: new Set(), rest: new Set() };

function checkStep(door: Door, step: Step, outcome: Outcome, earlier: unknown[]): void {
  const expected: Expected = step.expect;
  if ('code' in expected) {
    if (outcome.ok) throw new Error(`${step.call.op}: expected ${expected.code}, but it succeeded with ${JSON.stringify(outcome.result)?.slice(0, 300)}`);
    const want = CONVENTIONS[expected.code];
    const status = door.name === 'grpc' ? want.grpc : expected.tooLarge ? 413 : want.http;
    expect({ op: step.call.op, code: outcome.code, status: outcome.status }).toEqual({ op: step.call.op, code: expected.code, status });
    if (expected.field !== undefined) {
      expect(outcome.fields).toContain(expected.field);
      expect(outcome.detail).toContain(expected.field);
    }
    if (expected.fieldPrefix !== undefined) expect(outcome.fields.filter((f) => f.startsWith(expected.fieldPrefix!))).not.toEqual([]);
    if (expected.says !== undefined) expect(outcome.detail).toContain(expected.says);
    return;
  }
  if (!outcome.ok) throw new Error(`${step.call.op}: expected success, got ${outcome.code} (${outcome.status}): ${outcome.detail}`);
  reached[door.name].add(step.call.op);
  if (door.name === 'grpc' && EMPTY_OVER_GRPC.has(step.call.op)) {
    // google.protobuf.Empty: nothing to compare but that it is empty.
    expect(outcome.result).toEqual({});
    return;
  }
  if ('answer' in expected) expect(outcome.result).toEqual(expected.answer);
  else expected.check(outcome.result, earlier);
}

/** What the other door must also have answered. */
function comparable(step: Step, outcome: Outcome, messagesDiffer: boolean): unknown {
  if (!outcome.ok) return { code: outcome.code, fields: outcome.fields, ...(messagesDiffer ? {} : { detail: outcome.detail }) };
  if (EMPTY_OVER_GRPC.has(step.call.op)) return 'an answer (gRPC: Empty)';
  return (step.same ?? ((r: unknown) => r))(outcome.result);
}

/** Where `a` and `b` differ; numbers match to float32 precision (gRPC sends `float`, REST JSON doubles). */
export function differences(a: unknown, b: unknown, at = ''): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    return Math.abs(a - b) <= Math.max(1e-6 * Math.max(Math.abs(a), Math.abs(b)), 1e-7) ? [] : [`${at}: ${a} ≠ ${b}`];
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [`${at}: ${a.length} items ≠ ${b.length}`];
    return a.flatMap((x, i) => differences(x, b[i], `${at}[${i}]`));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`));
  }
  return Object.is(a, b) ? [] : [`${at}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`];
}

async function runOn(door: Door, c: ParityCase, hooks: ParityHooks): Promise<unknown[]> {
  for (const call of c.given ?? []) {
    const outcome = await door.run(call);
    if (!outcome.ok) throw new Error(`given ${call.op} was refused: ${outcome.code} ${outcome.detail}`);
  }
  const before = 'code' in c.expect ? await hooks.snapshot(door) : undefined;
  const steps: (Step | ((results: unknown[]) => Step))[] = [{ call: c.call, expect: c.expect, same: c.same }, ...(c.then ?? [])];
  const results: unknown[] = [];
  const seen: unknown[] = [];
  for (const entry of steps) {
    const step = typeof entry === 'function' ? entry(results) : entry;
    const outcome = await door.run(step.call);
    checkStep(door, step, outcome, results);
    results.push(outcome.ok ? outcome.result : outcome);
    seen.push(comparable(step, outcome, c.messagesDiffer !== undefined));
  }
  if (before !== undefined) expect(await hooks.snapshot(door)).toEqual(before);
  return seen;
}

/** One jest test per case: each door in turn (reset, read back), then the doors' answers compared. */
export function parityTable(cases: readonly ParityCase[], hooks: ParityHooks): void {
  for (const c of cases) {
    it(c.name, async () => {
      const answers = new Map<string, unknown[]>();
      for (const door of hooks.doors()) {
        try {
          answers.set(door.name, await runOn(door, c, hooks));
          await hooks.reset();
          await hooks.readBack(door);
        } catch (error) {
          if (error instanceof Error) error.message = `[${door.name} door] ${error.message}`;
          await hooks.reset();
          throw error;
        }
      }
      const [first, second] = [...answers.values()];
      expect(differences(first, second)).toEqual([]);
    });
  }
}
