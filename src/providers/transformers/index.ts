export { TransformersProvider, type TransformersLogger, type TransformersProviderOptions } from './transformers-provider';
export type { EmbeddingActivity, ChunkStart } from './embedding-activity';
