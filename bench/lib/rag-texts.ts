import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { docSentences, type SentenceSource } from './doc-sentences';

/** The documents and queries of `bench:rag`, and where they came from (recorded in the report). */
export interface RagTexts {
  docs: string[];
  queries: string[];
  source: SentenceSource & { distinct: number; digest: string; queryWords: number };
}

const DOC_ROOTS = ['node_modules', '/usr/share/doc'];
/** A query is the start of a held-out sentence: a few words, as people type them. */
const QUERY_WORDS = 8;

/**
 * Real English passages (30–400 characters) from the documentation installed packages ship
 * (doc-sentences.ts), in a seeded order: `count` documents, then `queries` held-out sentences cut
 * to their first words, so a query shares vocabulary with the corpus without being one of its texts.
 */
export function ragTexts(repoRoot: string, count: number, queries: number, seed: number): RagTexts {
  const roots = DOC_ROOTS.map((r) => (r.startsWith('/') ? r : join(repoRoot, r)));
  const { sentences, source } = docSentences(roots, seed);
  if (sentences.length < count + queries) {
    throw new Error(`bench:rag needs ${count + queries} distinct sentences; the installed documentation has ${sentences.length} (lower RAG_DOCS)`);
  }
  const docs = sentences.slice(0, count);
  const asked = sentences.slice(count, count + queries).map((s) => s.split(/\s+/).slice(0, QUERY_WORDS).join(' '));
  const digest = createHash('sha256').update([...docs, ...asked].join('\n')).digest('hex');
  return { docs, queries: asked, source: { ...source, distinct: sentences.length, digest, queryWords: QUERY_WORDS } };
}
