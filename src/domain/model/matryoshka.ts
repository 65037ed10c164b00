import { errors, type FieldViolation } from '../../errors';
import { limits } from '../limits';
import type { ModelConfig } from './model-types';

/**
 * Embeddings cut to fewer dimensions (OpenAI's `dimensions`). Only a model trained for it
 * (Matryoshka representation learning: text-embedding-3, nomic-embed, mxbai…) keeps its meaning in
 * the leading dimensions, and nothing in the weights says whether it was, so a model allows it
 * only by declaring the sizes in its config: `parameters.matryoshka_dimensions: [256, 128, …]`. Its
 * vectors are then cut to the size asked for and scaled back to unit length. How well a cut vector
 * works is the model's training, not this service's: declaring sizes for a model not trained that
 * way (all-MiniLM-L6-v2 is not) is allowed, and gives vectors that lose more of their meaning.
 */
export const MATRYOSHKA_KEY = 'matryoshka_dimensions';

const MAX_SIZES = 32;

/** The parameter's shape, checked when a model is registered or updated. */
export function matryoshkaViolations(parameters: Record<string, unknown>, at: string): FieldViolation[] {
  const sizes = parameters[MATRYOSHKA_KEY];
  if (sizes === undefined) return [];
  const ok =
    Array.isArray(sizes) &&
    sizes.length >= 1 &&
    sizes.length <= MAX_SIZES &&
    sizes.every((d) => Number.isInteger(d) && d >= limits.minDimension && d <= limits.maxDimension) &&
    new Set(sizes).size === sizes.length;
  return ok ? [] : [{ field: `${at}.${MATRYOSHKA_KEY}`, message: `must be 1-${MAX_SIZES} distinct integers between ${limits.minDimension} and ${limits.maxDimension}` }];
}

/**
 * The embeddings at the size the caller asked for: as they are when it is the model's own (or none
 * was asked), cut and renormalised when the model declares that size, else INVALID_ARGUMENT on
 * `dimensions` naming the sizes it can give.
 */
export function truncateEmbeddings<T extends { vector: number[] }>(config: ModelConfig, results: T[], dimensions: number | undefined): T[] {
  const own = results[0]!.vector.length;
  if (dimensions === undefined || dimensions === own) return results;
  const declared = (config.parameters[MATRYOSHKA_KEY] as number[] | undefined) ?? [];
  if (!declared.includes(dimensions) || dimensions > own) {
    const sizes = [own, ...declared.filter((d) => d < own)].sort((a, b) => b - a);
    const how = sizes.length === 1 ? `and cannot shorten them (a model declares the sizes it can be cut to in parameters.${MATRYOSHKA_KEY}); omit dimensions or send ${own}` : `and can give ${sizes.join(', ')}`;
    throw errors.invalidArgument('dimensions', `model '${config.name}' produces ${own}-dimensional embeddings ${how}`);
  }
  return results.map((r) => ({ ...r, vector: unitLength(r.vector.slice(0, dimensions)) }));
}

function unitLength(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return norm === 0 ? vector : vector.map((x) => x / norm);
}
