import { readFileSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errors } from '../../errors';
import { requiredFiles, type Architecture, type Dtype } from './transformers-parameters';

/**
 * What can be learnt from a model folder under MODEL_CACHE_DIR without loading the model: the
 * files transformers.js will read, and the sizes its JSON configs declare.
 */

/** Absolute paths of the files a feature-extraction load needs that are not there. */
export async function missingFiles(modelDir: string, dtype: Dtype): Promise<string[]> {
  const paths = requiredFiles(dtype).map((f) => join(modelDir, f));
  const present = await Promise.all(paths.map((p) => access(p).then(() => true, () => false)));
  return paths.filter((_, i) => !present[i]);
}

/** The width of last_hidden_state, i.e. the embedding dimension after mean pooling. */
export async function declaredDimension(modelDir: string): Promise<number | undefined> {
  const config = await readFile(join(modelDir, 'config.json'), 'utf8').then(parseObject, () => undefined);
  return positiveInteger(config?.hidden_size ?? config?.d_model ?? config?.dim);
}

/** What config.json says the model is: its architectures, and how many labels a classification head has. */
export interface DeclaredHead {
  architectures: string[];
  /** id2label's size, else num_labels; absent when the config says neither. */
  labels: number | undefined;
}

export async function declaredHead(modelDir: string): Promise<DeclaredHead | undefined> {
  const config = await readFile(join(modelDir, 'config.json'), 'utf8').then(parseObject, () => undefined);
  if (config === undefined) return undefined;
  const architectures = Array.isArray(config.architectures) ? config.architectures.filter((a): a is string => typeof a === 'string') : [];
  const id2label = config.id2label;
  const labels = id2label !== null && typeof id2label === 'object' ? Object.keys(id2label).length : positiveInteger(config.num_labels);
  return { architectures, labels };
}

/** A sequence-classification export (a cross-encoder), whose graph answers logits rather than hidden states. */
export function isClassifier(head: DeclaredHead): boolean {
  return head.architectures.some((a) => a.endsWith('ForSequenceClassification'));
}

/**
 * That config.json declares the model `architecture` needs (undefined: an embedding model): a
 * cross-encoder is a sequence-classification model with one label; an embedding model or a
 * bi-encoder is not one, since its graph answers logits, not the hidden states pooling needs.
 * Without a config.json there is nothing to check (the file check reports it).
 */
export function checkHead(modelId: string, head: DeclaredHead | undefined, architecture: Architecture | undefined): void {
  if (head === undefined) return;
  const declares = `its config.json declares ${head.architectures.join(', ') || 'no architecture'}`;
  if (architecture === 'cross-encoder' && !(isClassifier(head) && head.labels === 1)) {
    const labels = head.labels === undefined || head.labels === 1 ? '' : ` with ${head.labels} labels`;
    throw errors.failedPrecondition(
      `model '${modelId}' is not a cross-encoder (a …ForSequenceClassification model with one label): ${declares}${labels}; ` +
        "register a cross-encoder's files, or these with parameters.architecture 'bi-encoder'",
    );
  }
  if (architecture !== 'cross-encoder' && isClassifier(head)) {
    throw errors.failedPrecondition(
      `model '${modelId}' is a sequence-classification model (${declares}), which gives no embeddings; register it with parameters.kind 'reranker' and architecture 'cross-encoder'`,
    );
  }
}

/**
 * The token window before the model is loaded (contextSizeOf is synchronous). Same rule as
 * `windowOf` on a loaded pipeline: the smaller of the tokenizer's and the positions' limits.
 */
export function declaredWindow(modelDir: string): number | undefined {
  const tokenizer = readObjectSync(join(modelDir, 'tokenizer_config.json'));
  const config = readObjectSync(join(modelDir, 'config.json'));
  const limits = [positiveInteger(tokenizer?.model_max_length), positiveInteger(config?.max_position_embeddings)];
  const known = limits.filter((v): v is number => v !== undefined);
  return known.length > 0 ? Math.min(...known) : undefined;
}

function readObjectSync(path: string): Record<string, unknown> | undefined {
  try {
    return parseObject(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
