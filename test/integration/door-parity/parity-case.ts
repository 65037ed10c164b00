import type { ErrorCode } from '../../../src/errors';
import type { Call } from './calls';

/** A refusal: the code (CONVENTIONS.md's table gives each door's status), the field named, words the message must hold. */
export interface Refused {
  code: ErrorCode;
  /** A field named in google.rpc.BadRequest and in problem+json `errors`, the same on both doors. */
  field?: string;
  /** Some field starting so (filters on an object value name the offending path below it). */
  fieldPrefix?: string;
  /** RESOURCE_EXHAUSTED for a request over a documented size: HTTP 413 instead of 429. */
  tooLarge?: boolean;
  /** Words the message must contain. */
  says?: string;
}

/** A success: the answer in the table's terms (asymmetric matchers welcome), or a check of it. */
export type Answered = { answer: unknown } | { check: (result: any, earlier: any[]) => void };

export type Expected = Refused | Answered;

/** One call and what it must answer. `same` projects the result before the two doors' answers are compared. */
export interface Step {
  call: Call;
  expect: Expected;
  same?: (result: any) => unknown;
}

/**
 * One row of the door-parity table: run on each door in turn against the same app, starting from
 * the same fixtures. `given` set it up (each must succeed), `call` is under test, `then` reads back;
 * a `then` entry may be built from the results so far (to read back a generated id). Then the two
 * doors' answers must agree with each other: same code, fields and message for a refusal (unless
 * `messagesDiffer` says why not), the same result for a success (numbers to float32 precision).
 */
export interface ParityCase {
  name: string;
  given?: Call[];
  call: Call;
  expect: Expected;
  same?: (result: any) => unknown;
  then?: (Step | ((results: any[]) => Step))[];
  /** Why the two doors' messages may differ (REST's schema refuses a wrong type before the domain sees it). */
  messagesDiffer?: string;
}

export const refused = (code: ErrorCode, field?: string, more: Omit<Refused, 'code' | 'field'> = {}): Refused => ({ code, field, ...more });
export const answers = (answer: unknown): Answered => ({ answer });
export const satisfies = (check: (result: any, earlier: any[]) => void): Answered => ({ check });
