import type { Metadata, Scalar } from '../vector/vector-types';
import type { FilterNode } from './filter-ast';

/**
 * The reference semantics of the filter language, evaluated on one metadata object. Engine
 * compilers must agree with it; the contract suite checks that they do.
 */
export function matchesFilter(node: FilterNode, metadata: Metadata): boolean {
  switch (node.kind) {
    case 'and':
      return node.children.every((c) => matchesFilter(c, metadata));
    case 'or':
      return node.children.some((c) => matchesFilter(c, metadata));
    case 'not':
      return !matchesFilter(node.child, metadata);
    case 'exists':
      return isScalar(lookup(metadata, node.path));
    case 'in': {
      const value = lookup(metadata, node.path);
      return isScalar(value) && node.values.some((v) => sameKind(v, value) && v === value);
    }
    case 'compare': {
      const value = lookup(metadata, node.path);
      if (!isScalar(value) || !sameKind(value, node.value)) return false;
      switch (node.op) {
        case 'eq':
          return value === node.value;
        case 'gt':
          return value > node.value;
        case 'gte':
          return value >= node.value;
        case 'lt':
          return value < node.value;
        case 'lte':
          return value <= node.value;
      }
    }
  }
}

/** Reads a dotted path; only plain objects are traversed (arrays are not filterable). */
export function lookup(metadata: Metadata, path: readonly string[]): unknown {
  let current: unknown = metadata;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function sameKind(a: Scalar, b: Scalar): boolean {
  return typeof a === typeof b;
}
