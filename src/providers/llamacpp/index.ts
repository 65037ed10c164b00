export { LlamaCppProvider, type LlamaCppProviderOptions } from './llamacpp-provider';
export type { LlamaCppLogger } from './llamacpp-models';
export type { GenerationActivity, GenerationEnd } from './generation-activity';
