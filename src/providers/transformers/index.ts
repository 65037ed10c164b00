export { TransformersProvider, type TransformersLogger, type TransformersProviderOptions } from './transformers-provider';
