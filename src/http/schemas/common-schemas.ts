import { Type, type ObjectOptions, type SchemaOptions, type TProperties } from '@sinclair/typebox';
import { INDEX_TYPES, limits, METRIC_TYPES, vectorMessages } from '../../domain';

/**
 * The schema keyword carrying constraints the domain enforces (names, ranges, sizes). The OpenAPI
 * document declares them (openapi.ts merges them into the schema they sit on), while the door's
 * validator leaves them alone: the domain checks them once for both doors, naming the field and
 * wording the message the same on each (ARCHITECTURE.md, "Doors only rename").
 */
export const DOMAIN_RULES = 'x-domain-rules';

/** JSON Schema keywords a domain rule can be declared with. */
export interface DomainRules {
  /** The type itself, where the domain checks it (free-form objects such as a model's parameters). */
  type?: 'string' | 'integer' | 'number' | 'array';
  /** What an array holds. */
  items?: Record<string, unknown>;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  /** Properties the domain needs although the wire may omit them (proto3 cannot tell absent from empty). */
  required?: string[];
  /** The shapes a value may have, when the code rather than the validator tells them apart (for its messages). */
  anyOf?: unknown[];
  /** The values a string may take. */
  enum?: readonly string[];
  /** Exactly one of these shapes (e.g. a query by vector or by text, never both). */
  oneOf?: unknown[];
  /** Rules on an object's key names. */
  propertyNames?: { pattern?: string; maxLength?: number; not?: { pattern: string } | { const: string } };
  /** Rules on some of an object's keys, by name or by pattern. */
  properties?: Record<string, unknown>;
  patternProperties?: Record<string, unknown>;
}

/** A value the domain checks whole, type included: the door's validator lets anything through. */
export function DomainChecked<T>(description: string, rules: DomainRules) {
  return Type.Unsafe<T>({ description, ...checkedByDomain(rules) });
}

/** Spread into a schema's options: `Type.String({ description, ...checkedByDomain({ pattern }) })`. */
export function checkedByDomain(rules: DomainRules): { [DOMAIN_RULES]: DomainRules } {
  return { [DOMAIN_RULES]: rules };
}

/**
 * A regular expression's source matching in any letter case, for the domain's case-insensitive rules:
 * JSON Schema patterns have no flags. Only for sources without letters inside character classes.
 */
export function anyCase(source: string): string {
  return [...source].map((c) => (c.toLowerCase() === c.toUpperCase() ? c : `[${c.toUpperCase()}${c.toLowerCase()}]`)).join('');
}

/** A pattern matching any of `values` in any letter case (the domain upper-cases them), and the empty string when `orEmpty`. */
function anyCaseOf(values: readonly string[], orEmpty: boolean): string {
  return `^(${values.map(anyCase).join('|')})${orEmpty ? '?' : ''}$`;
}

export const collectionNameRule = checkedByDomain({ pattern: limits.collectionName.source });
/** Ids: 1..512 bytes of UTF-8. JSON Schema counts characters, so 512 characters is the bound it can state. */
export const idRule = checkedByDomain({ minLength: 1, maxLength: limits.maxIdBytes });

/**
 * The JSON parser's guard against prototype poisoning (json-body-parser.ts), as JSON Schema states
 * it for one object: no key `__proto__`, no `constructor` holding a `prototype`. The guard applies at
 * every depth; the document declares it on each free-form object's own keys. Declared only: as a
 * response schema, a `constructor` property would make the serializer read Object.prototype's.
 */
const noPrototypeKeys = () =>
  checkedByDomain({
    propertyNames: { not: { const: '__proto__' } },
    properties: { constructor: { not: { type: 'object', required: ['prototype'] } } },
  });

/**
 * A JSON object with free keys (metadata, filters, index params); nothing is dropped when serialized.
 * Rules of its own (`checkedByDomain` in `options`) are declared along with the prototype guard.
 */
export function FreeFormObject(options: SchemaOptions) {
  const guard = noPrototypeKeys()[DOMAIN_RULES];
  const own = (options[DOMAIN_RULES] ?? {}) as DomainRules;
  const rules: DomainRules = { ...guard, ...own, propertyNames: { ...guard.propertyNames, ...own.propertyNames }, properties: { ...guard.properties, ...own.properties } };
  return Type.Unsafe<Record<string, unknown>>({ ...options, type: 'object', additionalProperties: true, ...checkedByDomain(rules) });
}

/** A request body: unknown fields are rejected (proto3 JSON does the same), so a typo is a 400, not a silent default. */
export function RequestBody<T extends TProperties>(properties: T, options: ObjectOptions) {
  return Type.Object(properties, { ...options, additionalProperties: false });
}

/** A vector: exactly `vector_dim` finite numbers. Strings are not coerced; the dimension is checked by the domain. */
export function FloatArray(options: SchemaOptions) {
  return Type.Array(Type.Number(), options);
}

/** A registered model's name, as the registry's rule states it. */
export const modelNameRule = checkedByDomain({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' });

/** A record's text or a text query: not blank, at most 32 KiB of UTF-8 (JSON Schema can only count characters). */
export const textRule = checkedByDomain({ minLength: 1, maxLength: limits.maxTextBytes, pattern: '\\S' });

/** A vector that may be left empty: [] means none, as proto3 sends an unset repeated field (a text-only record, a text query). */
export function OptionalVector(options: SchemaOptions) {
  return FloatArray({ ...options, ...checkedByDomain({ minItems: 0, maxItems: limits.maxDimension }) });
}

export const CollectionNameParams = Type.Object({
  name: Type.String({ description: 'Collection name: ^[A-Za-z_][A-Za-z0-9_]{0,254}$', examples: ['articles'], ...collectionNameRule }),
});

export const SuccessResponse = Type.Object(
  {
    success: Type.Boolean({ description: 'Always true: failures are problem+json errors, never success=false.' }),
    message: Type.String({ description: 'A short human-readable summary.' }),
  },
  { description: 'The operation succeeded.', examples: [{ success: true, message: vectorMessages.dropped('articles') }] },
);

const indexTypeDoc = 'FLAT (exact), HNSW, IVF_FLAT, IVF_PQ or AUTOINDEX; each engine rejects the ones it cannot build, naming those it can.';
const metricTypeDoc = 'COSINE (default), IP or L2. score is the similarity for COSINE and IP, the squared Euclidean distance for L2.';
const paramsDoc = 'Engine-neutral build and search parameters such as m, ef_construction, ef, nlist, nprobe.';

/** IndexParams as sent; values are checked by the domain. CreateIndex needs `index_type`, CreateCollection may leave it out. */
export function indexParamsInput(typeRequired: boolean) {
  return RequestBody(
    {
      index_type: Type.Optional(
        Type.String({
          description: `${indexTypeDoc} Any letter case.${typeRequired ? ' Required.' : ' Empty or absent: no index.'}`,
          examples: ['HNSW'],
          ...checkedByDomain({ pattern: anyCaseOf(INDEX_TYPES, !typeRequired) }),
        }),
      ),
      metric_type: Type.Optional(
        Type.String({ description: `${metricTypeDoc} Any letter case; empty or absent: the collection's.`, examples: ['COSINE'], ...checkedByDomain({ pattern: anyCaseOf(METRIC_TYPES, true) }) }),
      ),
      params: Type.Optional(FreeFormObject({ description: `${paramsDoc} At most 4 KiB as JSON.`, examples: [{ m: 16, ef_construction: 200 }] })),
    },
    { description: 'Index and metric of a collection.', ...(typeRequired ? checkedByDomain({ required: ['index_type'] }) : {}) },
  );
}

/** IndexParams as returned: index_type is empty when no index is declared. */
export const IndexParamsOutput = Type.Object(
  {
    index_type: Type.String({ description: `${indexTypeDoc} Empty when no index is declared.` }),
    metric_type: Type.String({ description: metricTypeDoc }),
    params: FreeFormObject({ description: paramsDoc }),
  },
  { description: 'Index and metric of a collection.' },
);
