/** Scalar metadata values; the only kinds the filter language compares. */
export type Scalar = string | number | boolean;

/**
 * The filter language's typed AST (CONVENTIONS.md). Semantics every compiler must keep:
 * - `path` is a metadata key split on dots (`author.name` → ['author', 'name']).
 * - A comparison is true only when the field exists and holds a value of the same kind
 *   (number with number, string with string, boolean with boolean); it is never "unknown".
 * - `ne` and `nin` are the negations of `eq` and `in`, so they match rows lacking the field
 *   (as in MongoDB).
 * - `not` negates its child under two-valued logic.
 * - Only scalar leaves (string, finite number, boolean) are filterable: `exists` is true when the
 *   path holds a scalar; arrays, objects and null count as absent. Reference: filter-evaluator.ts.
 */
export type FilterNode =
  | { kind: 'and'; children: FilterNode[] }
  | { kind: 'or'; children: FilterNode[] }
  | { kind: 'not'; child: FilterNode }
  | { kind: 'compare'; path: string[]; op: CompareOp; value: Scalar }
  | { kind: 'in'; path: string[]; values: Scalar[] }
  | { kind: 'exists'; path: string[] };

export type CompareOp = 'eq' | 'gt' | 'gte' | 'lt' | 'lte';

/** The metadata paths a filter reads, deduplicated, as dotted strings. */
export function filterPaths(node: FilterNode, out = new Set<string>()): Set<string> {
  switch (node.kind) {
    case 'and':
    case 'or':
      node.children.forEach((c) => filterPaths(c, out));
      break;
    case 'not':
      filterPaths(node.child, out);
      break;
    default:
      out.add(node.path.join('.'));
  }
  return out;
}
