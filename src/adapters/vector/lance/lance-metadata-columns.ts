import { limits, type Metadata, type Scalar } from '../../../domain';

/**
 * How metadata becomes filterable in Lance. LanceDB 0.31's JSON functions only accept Lance's
 * own JSON type, which rows appended from Node cannot carry (ENVIRONMENT.md), so each vector keeps
 * its metadata as JSON text (exact round-trips) and every scalar leaf is also copied into a typed
 * column, one per (dotted path, kind): `m_s_<hex>` Utf8, `m_n_<hex>` Float64, `m_b_<hex>` UInt8 0/1,
 * where <hex> is the UTF-8 path in hex, so user keys can never form SQL or clash with our columns.
 * Columns are added by schema evolution (null for older rows) when a write brings a new leaf.
 *
 * Only what the filter language can address gets a column, mirroring `lookup()` in
 * domain/filter/filter-evaluator.ts: leaves reached through plain objects (arrays are stored and
 * returned but not filterable), keys without dots that do not start with `$`, and dotted paths
 * of at most `limits.filter.maxKeyBytes` bytes.
 *
 * A collection holds at most MAX_TYPED_COLUMNS typed columns. Past that bound new leaves are kept
 * in the JSON text only and the collection is marked `filterOverflow`; a filter that then needs a
 * (path, kind) without a column fails with FAILED_PRECONDITION instead of silently matching nothing.
 */
export const MAX_TYPED_COLUMNS = 256;

export type ScalarKind = 'string' | 'number' | 'boolean';
export const SCALAR_KINDS: readonly ScalarKind[] = ['string', 'number', 'boolean'];

const KIND_TAG: Record<ScalarKind, string> = { string: 's', number: 'n', boolean: 'b' };
const TYPED_COLUMN = /^m_([snb])_([0-9a-f]+)$/;

export function typedColumnName(path: readonly string[], kind: ScalarKind): string {
  const key = `${KIND_TAG[kind]}${path.join('.')}`;
  let name = namesSeen.get(key);
  if (name === undefined) {
    name = `m_${KIND_TAG[kind]}_${Buffer.from(path.join('.'), 'utf8').toString('hex')}`;
    if (namesSeen.size >= NAMES_REMEMBERED) namesSeen.clear();
    namesSeen.set(key, name);
  }
  return name;
}

/**
 * Every record of a batch names the same few columns: remembered, the hex encoding is not redone
 * per leaf (a thousand times a batch). Bounded, since keys come from users.
 */
const NAMES_REMEMBERED = 4096;
const namesSeen = new Map<string, string>();

/** The kind of a typed column, or null for our fixed columns (id, vector, metadata). */
export function typedColumnKind(column: string): ScalarKind | null {
  const tag = TYPED_COLUMN.exec(column)?.[1];
  if (tag === undefined) return null;
  return tag === 's' ? 'string' : tag === 'n' ? 'number' : 'boolean';
}

export function scalarKind(value: Scalar): ScalarKind {
  return typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : 'boolean';
}

/** The filterable scalar leaves of one metadata object: column name → value. */
export function scalarLeaves(metadata: Metadata): Map<string, Scalar> {
  const out = new Map<string, Scalar>();
  walk(metadata, [], 0, out);
  return out;
}

function walk(node: Record<string, unknown>, path: string[], pathBytes: number, out: Map<string, Scalar>): void {
  for (const [key, value] of Object.entries(node)) {
    if (key.length === 0 || key.includes('.') || key.startsWith('$')) continue;
    const bytes = pathBytes + (path.length > 0 ? 1 : 0) + Buffer.byteLength(key, 'utf8');
    if (bytes > limits.filter.maxKeyBytes) continue;
    const here = [...path, key];
    if (typeof value === 'string' || typeof value === 'boolean') {
      out.set(typedColumnName(here, scalarKind(value)), value);
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      // -0 becomes 0: JSON (and so the stored text) cannot tell them apart, and Arrow compares them as different.
      out.set(typedColumnName(here, 'number'), value === 0 ? 0 : value);
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      walk(value as Record<string, unknown>, here, bytes, out);
    }
  }
}

/**
 * The typed columns a set of rows needs beyond `existing`, in first-seen order and cut at the
 * bound; `overflow` tells whether some leaf had to be left without a column.
 */
export function missingTypedColumns(
  leaves: readonly Map<string, Scalar>[],
  existing: ReadonlySet<string>,
): { add: string[]; overflow: boolean } {
  const existingTyped = [...existing].filter((c) => typedColumnKind(c) !== null).length;
  const room = Math.max(0, MAX_TYPED_COLUMNS - existingTyped);
  const wanted = new Set<string>();
  for (const row of leaves) for (const column of row.keys()) if (!existing.has(column)) wanted.add(column);
  const all = [...wanted];
  return { add: all.slice(0, room), overflow: all.length > room };
}
