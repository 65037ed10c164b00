import type { FilterNode, Scalar } from '../../../domain';
import { errors } from '../../../errors';
import { SCALAR_KINDS, scalarKind, typedColumnName, type ScalarKind } from './lance-metadata-columns';

/**
 * Compiles the filter AST (domain/filter/filter-ast.ts) into a Lance SQL predicate, and holds ALL
 * escaping of user values for the Lance adapter: nothing else builds SQL text from user input.
 *
 * - Values only ever appear as literals made here: strings in single quotes with `'` doubled
 *   (verified on Lance 0.31: backslashes, newlines, NUL, `' OR 1=1 --` and `") or ("` are then
 *   matched literally), numbers from `String()` of a finite double, booleans as 1/0 (their columns are UInt8).
 * - Paths only ever appear as typed column names (lance-metadata-columns.ts), which are
 *   `m_[snb]_<hex>` and so never need quoting.
 * - Every leaf is never NULL (`(col IS NOT NULL AND col = v)`), so SQL's three-valued logic
 *   collapses to the two-valued `not` the AST specifies, and `$ne`/`$nin` (compiled as NOT of
 *   `eq`/`in`) match rows lacking the field.
 * - A leaf whose (path, kind) has no column can match no row, so it folds to a constant; a filter
 *   that folds to FALSE needs no query at all.
 */

/** The typed columns a collection has, and whether it ran out of room for new ones. */
export interface FilterColumns {
  has(column: string): boolean;
  readonly overflowed: boolean;
}

export type CompiledFilter = { kind: 'all' } | { kind: 'none' } | { kind: 'where'; sql: string };

/** An intermediate predicate: a constant, or SQL text that is never NULL. */
type Predicate = boolean | string;

const SQL_OPS = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

export function compileFilter(node: FilterNode | null, columns: FilterColumns, collection: string): CompiledFilter {
  if (node === null) return { kind: 'all' };
  const predicate = compile(node, columns, collection);
  if (predicate === true) return { kind: 'all' };
  if (predicate === false) return { kind: 'none' };
  return { kind: 'where', sql: predicate };
}

function compile(node: FilterNode, columns: FilterColumns, collection: string): Predicate {
  switch (node.kind) {
    case 'and':
      return combine(node.children.map((c) => compile(c, columns, collection)), 'AND');
    case 'or':
      return combine(node.children.map((c) => compile(c, columns, collection)), 'OR');
    case 'not': {
      const child = compile(node.child, columns, collection);
      return typeof child === 'boolean' ? !child : `(NOT ${child})`;
    }
    case 'exists':
      return combine(
        SCALAR_KINDS.map((kind) => {
          const column = columnFor(node.path, kind, columns, collection);
          return column === null ? false : `(${column} IS NOT NULL)`;
        }),
        'OR',
      );
    case 'in': {
      const byKind = new Map<ScalarKind, Scalar[]>();
      for (const value of node.values) {
        const list = byKind.get(scalarKind(value)) ?? [];
        if (!list.includes(value)) list.push(value);
        byKind.set(scalarKind(value), list);
      }
      return combine(
        [...byKind].map(([kind, values]) => {
          const column = columnFor(node.path, kind, columns, collection);
          return column === null ? false : `(${column} IS NOT NULL AND ${column} IN (${values.map(sqlLiteral).join(', ')}))`;
        }),
        'OR',
      );
    }
    case 'compare': {
      const column = columnFor(node.path, scalarKind(node.value), columns, collection);
      if (column === null) return false;
      return `(${column} IS NOT NULL AND ${column} ${SQL_OPS[node.op]} ${sqlLiteral(node.value)})`;
    }
  }
}

/** AND/OR with constant folding; an empty AND is TRUE and an empty OR is FALSE, as in logic. */
function combine(parts: Predicate[], op: 'AND' | 'OR'): Predicate {
  const absorbing = op === 'OR';
  if (parts.includes(absorbing)) return absorbing;
  const rest = parts.filter((p): p is string => typeof p === 'string');
  if (rest.length === 0) return !absorbing;
  return rest.length === 1 ? rest[0]! : `(${rest.join(` ${op} `)})`;
}

function columnFor(path: readonly string[], kind: ScalarKind, columns: FilterColumns, collection: string): string | null {
  const column = typedColumnName(path, kind);
  if (columns.has(column)) return column;
  if (columns.overflowed) {
    throw errors.failedPrecondition(
      `metadata key '${path.join('.')}' is not filterable in collection '${collection}': the collection has more distinct metadata keys than can be indexed for filtering`,
    );
  }
  return null;
}

/** A SQL literal for one user value; the only place user text enters Lance SQL. */
export function sqlLiteral(value: Scalar): string {
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  // Boolean columns are UInt8 0/1 (lance-arrow-rows.ts).
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (!Number.isFinite(value)) throw errors.internal(new Error('non-finite number reached the Lance filter compiler'));
  // -0 is stored as 0 (lance-metadata-columns.ts); String() gives the shortest round-trip form.
  return String(value === 0 ? 0 : value);
}

/** `id IN (...)` for a list of vector ids (never empty: callers skip empty lists). */
export function idInPredicate(ids: readonly string[]): string {
  if (ids.length === 0) throw errors.internal(new Error('empty id list reached the Lance filter compiler'));
  return `id IN (${ids.map(sqlLiteral).join(', ')})`;
}

/** `id > '...'`: where a keyset scan resumes (string comparison in Lance is by UTF-8 bytes, the domain's id order). */
export function idAfterPredicate(id: string): string {
  return `id > ${sqlLiteral(id)}`;
}
