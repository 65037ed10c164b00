import { errors } from '../../errors';
import { limits } from '../limits';
import type { Scalar } from '../vector/vector-types';
import type { CompareOp, FilterNode } from './filter-ast';

const COMPARE_OPS: Record<string, CompareOp> = { $eq: 'eq', $gt: 'gt', $gte: 'gte', $lt: 'lt', $lte: 'lte' };
/** The operators a field's operator object may hold. */
export const FIELD_OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$not'] as const;
const FIELD_OPS = new Set<string>(FIELD_OPERATORS);
const LOGICAL_OPS = new Set(['$and', '$or', '$not']);

/**
 * Parses the Mongo-style filter of CONVENTIONS.md into a FilterNode, or throws INVALID_ARGUMENT
 * naming the offending path (e.g. `options.filter.year.$gte`). An empty object means "no filter".
 */
export function parseFilter(input: unknown, field = 'options.filter'): FilterNode | null {
  if (input === undefined || input === null) return null;
  const state = { nodes: 0 };
  const node = parseDocument(input, field, 1, state);
  return node.kind === 'and' && node.children.length === 0 ? null : node;
}

interface State {
  nodes: number;
}

function parseDocument(input: unknown, at: string, depth: number, state: State): FilterNode {
  if (!isPlainObject(input)) throw errors.invalidArgument(at, 'must be an object');
  checkBudget(at, depth, state);
  const children: FilterNode[] = [];
  for (const [key, value] of Object.entries(input)) {
    const here = `${at}.${key}`;
    if (key.startsWith('$')) {
      if (!LOGICAL_OPS.has(key)) throw errors.invalidArgument(here, `unknown operator '${key}'; use one of $and, $or, $not at this level`);
      children.push(parseLogical(key, value, here, depth, state));
    } else {
      children.push(parseField(parsePath(key, here), value, here, depth, state));
    }
  }
  return children.length === 1 ? children[0]! : { kind: 'and', children };
}

function parseLogical(op: string, value: unknown, at: string, depth: number, state: State): FilterNode {
  if (op === '$not') return { kind: 'not', child: parseDocument(value, at, depth + 1, state) };
  if (!Array.isArray(value) || value.length === 0) throw errors.invalidArgument(at, 'must be a non-empty array of filter objects');
  const children = value.map((v, i) => parseDocument(v, `${at}[${i}]`, depth + 1, state));
  return { kind: op === '$and' ? 'and' : 'or', children };
}

function parseField(path: string[], value: unknown, at: string, depth: number, state: State): FilterNode {
  if (!isPlainObject(value)) {
    // A bare value is a term too: {k0: 0, k1: 1, ...} with 100,000 keys must hit the term budget.
    checkBudget(at, depth, state);
    return { kind: 'compare', path, op: 'eq', value: parseScalar(value, at) };
  }
  const entries = Object.entries(value);
  if (entries.length === 0) throw errors.invalidArgument(at, 'an operator object needs at least one operator');
  checkBudget(at, depth + 1, state);
  const children = entries.map(([op, operand]) => parseOperator(path, op, operand, `${at}.${op}`, depth + 1, state));
  return children.length === 1 ? children[0]! : { kind: 'and', children };
}

function parseOperator(path: string[], op: string, operand: unknown, at: string, depth: number, state: State): FilterNode {
  if (!op.startsWith('$')) {
    throw errors.invalidArgument(at, 'object values are not supported; reach nested metadata with a dotted key such as "author.name"');
  }
  if (!FIELD_OPS.has(op)) {
    throw errors.invalidArgument(at, `unknown operator '${op}'; supported: ${[...FIELD_OPS].join(', ')}`);
  }
  checkBudget(at, depth, state);
  switch (op) {
    case '$ne':
      return { kind: 'not', child: { kind: 'compare', path, op: 'eq', value: parseScalar(operand, at) } };
    case '$in':
      return { kind: 'in', path, values: parseList(operand, at) };
    case '$nin':
      return { kind: 'not', child: { kind: 'in', path, values: parseList(operand, at) } };
    case '$exists': {
      if (typeof operand !== 'boolean') throw errors.invalidArgument(at, 'must be true or false');
      const exists: FilterNode = { kind: 'exists', path };
      return operand ? exists : { kind: 'not', child: exists };
    }
    case '$not':
      if (!isPlainObject(operand)) throw errors.invalidArgument(at, 'must be an operator object such as {"$gt": 5}');
      return { kind: 'not', child: parseField(path, operand, at, depth, state) };
    default: {
      const cmp = COMPARE_OPS[op]!;
      const value = parseScalar(operand, at);
      if (cmp !== 'eq' && typeof value === 'boolean') throw errors.invalidArgument(at, 'range operators need a number or a string');
      return { kind: 'compare', path, op: cmp, value };
    }
  }
}

function parseList(operand: unknown, at: string): Scalar[] {
  if (!Array.isArray(operand)) throw errors.invalidArgument(at, 'must be an array of strings, numbers or booleans');
  if (operand.length > limits.filter.maxInValues) throw errors.invalidArgument(at, `at most ${limits.filter.maxInValues} values`);
  return operand.map((v, i) => parseScalar(v, `${at}[${i}]`));
}

function parseScalar(value: unknown, at: string): Scalar {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw errors.invalidArgument(at, 'numbers must be finite');
    return value;
  }
  if (typeof value === 'string') {
    if (Buffer.byteLength(value, 'utf8') > limits.filter.maxStringBytes) {
      throw errors.invalidArgument(at, `strings are at most ${limits.filter.maxStringBytes} bytes`);
    }
    return value;
  }
  if (Array.isArray(value)) throw errors.invalidArgument(at, 'arrays are only allowed after $in or $nin');
  if (value === null) throw errors.invalidArgument(at, 'null is not a filter value; use {"$exists": false}');
  if (isPlainObject(value)) throw errors.invalidArgument(at, 'object values are not supported; use a dotted key');
  throw errors.invalidArgument(at, 'must be a string, number or boolean');
}

function parsePath(key: string, at: string): string[] {
  if (key.length === 0) throw errors.invalidArgument(at, 'keys must not be empty');
  if (Buffer.byteLength(key, 'utf8') > limits.filter.maxKeyBytes) {
    throw errors.invalidArgument(at, `keys are at most ${limits.filter.maxKeyBytes} bytes`);
  }
  const path = key.split('.');
  if (path.some((p) => p.length === 0)) throw errors.invalidArgument(at, 'dotted keys must not have empty segments');
  if (path.some((p) => p.startsWith('$'))) throw errors.invalidArgument(at, 'key segments must not start with $');
  return path;
}

function checkBudget(at: string, depth: number, state: State): void {
  state.nodes += 1;
  if (depth > limits.filter.maxDepth) throw errors.invalidArgument(at, `filters nest at most ${limits.filter.maxDepth} levels`);
  if (state.nodes > limits.filter.maxNodes) throw errors.invalidArgument(at, `filters have at most ${limits.filter.maxNodes} terms`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
