import { errors } from '../../errors';
import { modelLimits } from './model-limits';
import { checkText } from './model-validation';

/**
 * Checks one Rerank call's input, naming the proto's fields (`query`, `documents`, `documents[i]`,
 * `top_n`), and returns how many results to answer: `top_n`, where 0 or absent means every
 * document and a value above their count is their count (what RAG frameworks asking for their
 * default top_n of a short list expect).
 */
export function checkRerankInput(query: string, documents: readonly string[], topN: number | undefined): number {
  const most = modelLimits.maxRerankDocuments;
  if (topN !== undefined && (!Number.isInteger(topN) || topN < 0 || topN > most)) {
    throw errors.invalidArgument('top_n', `must be an integer between 0 (every document) and ${most}`);
  }
  checkText(query, 'query', modelLimits.maxRerankTextBytes);
  if (documents.length === 0) throw errors.invalidArgument('documents', 'must not be empty');
  if (documents.length > most) throw errors.tooLarge('documents', `at most ${most} documents per call`);
  let total = 0;
  documents.forEach((document, i) => {
    checkText(document, `documents[${i}]`, modelLimits.maxRerankTextBytes);
    total += Buffer.byteLength(document, 'utf8');
  });
  if (total > modelLimits.maxRerankTotalBytes) throw errors.tooLarge('documents', `at most ${modelLimits.maxRerankTotalBytes} bytes in all per call`);
  return topN === undefined || topN === 0 ? documents.length : Math.min(topN, documents.length);
}
