/** Where the OpenAI-compatible routes live; their errors use OpenAI's body, not problem+json. */
export const OPENAI_PREFIX = '/openai/v1';
