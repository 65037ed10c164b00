/**
 * @huggingface/transformers is an ES module package ("type": "module"; its CommonJS build has ESM
 * typings), so this CommonJS code reaches it through import(), which tsc (module node16) keeps as
 * a real dynamic import. Loading it lazily also keeps onnxruntime out of processes that never
 * embed.
 */
export type TransformersSdk = typeof import('@huggingface/transformers', { with: { 'resolution-mode': 'import' } });
export type { FeatureExtractionPipeline, Tensor } from '@huggingface/transformers' with { 'resolution-mode': 'import' };

let sdk: Promise<TransformersSdk> | undefined;

export function loadSdk(): Promise<TransformersSdk> {
  sdk ??= import('@huggingface/transformers');
  return sdk;
}
