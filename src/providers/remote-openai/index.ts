export { OpenAiProvider, type OpenAiProviderOptions } from './openai-provider';
export { normalizeBaseUrl } from './openai-settings';
