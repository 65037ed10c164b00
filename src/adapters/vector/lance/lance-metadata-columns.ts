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
  return columnOf(path.join('.'), kind);
}

/** The typed column of a dotted path; remembered, since every record of a batch names the same few. */
function columnOf(dotted: string, kind: ScalarKind): string {
  const seen = namesSeen[kind];
  let name = seen.get(dotted);
  if (name === undefined) {
    name = `m_${KIND_TAG[kind]}_${Buffer.from(dotted, 'utf8').toString('hex')}`;
    // Bounded, since keys come from users.
    if (seen.size >= NAMES_REMEMBERED) seen.clear();
    seen.set(dotted, name);
  }
  return name;
}

const NAMES_REMEMBERED = 4096;
const namesSeen: Record<ScalarKind, Map<string, string>> = { string: new Map(), number: new Map(), boolean: new Map() };

/** The kind of a typed column, or null for our fixed columns (id, vector, metadata). */
export function typedColumnKind(column: string): ScalarKind | null {
  const tag = TYPED_COLUMN.exec(column)?.[1];
  if (tag === undefined) return null;
  return tag === 's' ? 'string' : tag === 'n' ? 'number' : 'boolean';
}

export function scalarKind(value: Scalar): ScalarKind {
  return typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : 'boolean';
}

/**
 * The filterable scalar leaves of a run of records, by typed column: each column holds one value
 * per record, undefined where the record lacks that leaf. Columns appear in first-seen order.
 */
export type LeafColumns = Map<string, (Scalar | undefined)[]>;

/**
 * Column by column, not a Map per record: a batch of a thousand records made a thousand Maps and
 * path arrays, garbage the collector then cost the event loop more than building it did.
 */
export function leafColumns(metadata: readonly Metadata[]): LeafColumns {
  const out: LeafColumns = new Map();
  for (let row = 0; row < metadata.length; row += 1) walk(metadata[row]!, '', 0, row, metadata.length, out);
  return out;
}

/** The filterable scalar leaves of one metadata object: column name → value. */
export function scalarLeaves(metadata: Metadata): Map<string, Scalar> {
  const out = new Map<string, Scalar>();
  for (const [column, values] of leafColumns([metadata])) out.set(column, values[0]!);
  return out;
}

function walk(node: Record<string, unknown>, prefix: string, prefixBytes: number, row: number, rows: number, out: LeafColumns): void {
  for (const key in node) {
    if (!Object.hasOwn(node, key) || key.length === 0 || key.includes('.') || key.startsWith('$')) continue;
    const bytes = prefixBytes + (prefix === '' ? 0 : 1) + Buffer.byteLength(key, 'utf8');
    if (bytes > limits.filter.maxKeyBytes) continue;
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const value = node[key];
    if (typeof value === 'string' || typeof value === 'boolean') {
      put(out, columnOf(path, typeof value === 'string' ? 'string' : 'boolean'), row, rows, value);
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      // -0 becomes 0: JSON (and so the stored text) cannot tell them apart, and Arrow compares them as different.
      put(out, columnOf(path, 'number'), row, rows, value === 0 ? 0 : value);
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      walk(value as Record<string, unknown>, path, bytes, row, rows, out);
    }
  }
}

function put(out: LeafColumns, column: string, row: number, rows: number, value: Scalar): void {
  let values = out.get(column);
  if (values === undefined) {
    values = new Array<Scalar | undefined>(rows);
    out.set(column, values);
  }
  values[row] = value;
}

/**
 * The typed columns a set of rows needs beyond `existing`, in first-seen order and cut at the
 * bound; `overflow` tells whether some leaf had to be left without a column.
 */
export function missingTypedColumns(
  leaves: readonly LeafColumns[],
  existing: ReadonlySet<string>,
): { add: string[]; overflow: boolean } {
  const existingTyped = [...existing].filter((c) => typedColumnKind(c) !== null).length;
  const room = Math.max(0, MAX_TYPED_COLUMNS - existingTyped);
  const wanted = new Set<string>();
  for (const columns of leaves) for (const column of columns.keys()) if (!existing.has(column)) wanted.add(column);
  const all = [...wanted];
  return { add: all.slice(0, room), overflow: all.length > room };
}
