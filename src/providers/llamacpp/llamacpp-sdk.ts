/**
 * node-llama-cpp is an ES module package ("type": "module", no CommonJS build), so this CommonJS
 * code reaches it through import(), which tsc (module node16) keeps as a real dynamic import.
 * Loading it lazily also keeps llama.cpp out of processes that never generate.
 */
export type LlamaSdk = typeof import('node-llama-cpp', { with: { 'resolution-mode': 'import' } });
export type {
  ChatHistoryItem,
  ChatWrapper,
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaLogLevel,
  LlamaModel,
  LlamaRankingContext,
  Token,
} from 'node-llama-cpp' with { 'resolution-mode': 'import' };

let sdk: Promise<LlamaSdk> | undefined;

export function loadLlamaSdk(): Promise<LlamaSdk> {
  sdk ??= import('node-llama-cpp');
  // A failed import (package missing) is retried on the next call rather than cached.
  sdk.catch(() => {
    sdk = undefined;
  });
  return sdk;
}
