import type { FilterNode, Scalar } from '../../../domain';
import { errors } from '../../../errors';

/**
 * Compiles the filter AST (domain/filter/filter-ast.ts) into a Milvus boolean expression over the
 * JSON field, and holds ALL escaping of user text for the Milvus adapter: keys, values and ids.
 * Verified on Milvus 2.3.5 (test/contract/vector-store checks it against the reference evaluator):
 *
 * - A path is `metadata["a"]["b"]`; each key is a string literal made here, so quotes, backslashes,
 *   brackets, `/`, `~`, newlines and non-ASCII keys reach the right JSON member.
 * - Comparisons on JSON are type-strict there (`metadata["n"] == "2"` never matches the number 2,
 *   a missing key matches nothing), as the AST asks. `in` with mixed kinds is rejected by Milvus,
 *   so a mixed list becomes one `in` per kind, ORed.
 * - `not` is two-valued there (a row lacking the key satisfies `not (k == 1)`), so `$ne`/`$nin`
 *   match rows without the field.
 * - `exists` means "holds a scalar": Milvus's `exists` is also true for arrays, objects and null, so
 *   it is compiled as "is a string, a number or a boolean" with one type-strict test each.
 * - String literals are double-quoted with `\\`, `\"` and every control character escaped
 *   (`\n`, `\u0000`, ...); the rest of Unicode is sent as is.
 * - Numbers: safe integers as integers; others in exponent form (a 20-digit integer literal is out
 *   of int64 range for the parser); -0 as 0.
 */

export type CompiledFilter = { kind: 'all' } | { kind: 'none' } | { kind: 'expr'; expr: string };

/** The JSON field holding each vector's metadata (milvus-catalog.ts). */
const METADATA_FIELD = 'metadata';
const ID_FIELD = 'id';

/** An intermediate result: a constant, or an expression string. */
type Predicate = boolean | string;

const OPS = { eq: '==', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

export function compileFilter(node: FilterNode | null): CompiledFilter {
  if (node === null) return { kind: 'all' };
  const predicate = compile(node);
  if (predicate === true) return { kind: 'all' };
  if (predicate === false) return { kind: 'none' };
  return { kind: 'expr', expr: predicate };
}

function compile(node: FilterNode): Predicate {
  switch (node.kind) {
    case 'and':
      return combine(node.children.map(compile), 'and');
    case 'or':
      return combine(node.children.map(compile), 'or');
    case 'not': {
      const child = compile(node.child);
      return typeof child === 'boolean' ? !child : `(not (${child}))`;
    }
    case 'exists': {
      const field = fieldPath(node.path);
      // Each test holds only for its own kind: strings are >= "", finite numbers >= -MAX_VALUE.
      return `(${field} >= "" or ${field} >= ${numberLiteral(-Number.MAX_VALUE)} or ${field} in [true, false])`;
    }
    case 'in': {
      const field = fieldPath(node.path);
      const byKind = new Map<string, Scalar[]>();
      for (const value of node.values) {
        const list = byKind.get(typeof value) ?? [];
        if (!list.includes(value)) list.push(value);
        byKind.set(typeof value, list);
      }
      return combine([...byKind.values()].map((values) => `${field} in [${values.map(literal).join(', ')}]`), 'or');
    }
    case 'compare':
      return `${fieldPath(node.path)} ${OPS[node.op]} ${literal(node.value)}`;
  }
}

/** AND/OR with constant folding; an empty AND is true and an empty OR is false, as in logic. */
function combine(parts: Predicate[], op: 'and' | 'or'): Predicate {
  const absorbing = op === 'or';
  if (parts.includes(absorbing)) return absorbing;
  const rest = parts.filter((p): p is string => typeof p === 'string');
  if (rest.length === 0) return !absorbing;
  return rest.length === 1 ? rest[0]! : `(${rest.join(` ${op} `)})`;
}

/** `metadata["a"]["b"]` for the dotted path a.b. */
export function fieldPath(path: readonly string[]): string {
  if (path.length === 0) throw errors.internal(new Error('empty path reached the Milvus filter compiler'));
  return METADATA_FIELD + path.map((key) => `[${stringLiteral(key)}]`).join('');
}

/** A Milvus literal for one filter value. */
export function literal(value: Scalar): string {
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return numberLiteral(value);
}

/** The only place user text becomes a Milvus string literal. */
export function stringLiteral(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw errors.internal(new Error('non-finite number reached the Milvus filter compiler'));
  if (Number.isSafeInteger(value)) return String(value === 0 ? 0 : value);
  // Non-integers print with '.' or 'e' already; large integers need the exponent form.
  return Number.isInteger(value) ? value.toExponential() : String(value);
}

/** Ids per `id in [...]` expression (1000 ids of 512 bytes stay far below any expression limit). */
export const ID_CHUNK = 1000;

/** `id in [...]` for a list of vector ids (never empty: callers skip empty lists). */
export function idInExpr(ids: readonly string[]): string {
  if (ids.length === 0) throw errors.internal(new Error('empty id list reached the Milvus filter compiler'));
  return `${ID_FIELD} in [${ids.map(stringLiteral).join(', ')}]`;
}

/** `id > "..."`: where a keyset scan resumes ("" for the first page: every id is longer). Milvus compares VarChar by bytes. */
export function idAfterExpr(id: string): string {
  return `${ID_FIELD} > ${stringLiteral(id)}`;
}
