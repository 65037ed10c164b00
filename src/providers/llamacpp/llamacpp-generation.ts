import type { FinishReason, GenerationParams, GenerationResult, OutputFormat } from '../../domain';
import { errors } from '../../errors';
import type { LoadedModel } from './llamacpp-loaded-model';
import type { ChatHistoryItem, LlamaContextSequence, LlamaGrammar, Token } from './llamacpp-sdk';
import type { LlamaSettings } from './llamacpp-settings';

/** How one generation reports back while it runs. */
export interface GenerationHooks {
  /** Stops the generation; it then returns what it has, finishReason 'cancelled'. */
  signal: AbortSignal;
  /** Text as it is produced (stop strings are held back until they are ruled out). */
  onText?: (text: string) => void;
  onTokens: (count: number) => void;
}

type StopReason = 'abort' | 'maxTokens' | 'eogToken' | 'stopGenerationTrigger' | 'customStopTrigger' | 'functionCalls';

/** node-llama-cpp's stop reasons in the domain's words; EOS and stop strings are both 'stop'. */
function finishOf(reason: StopReason): FinishReason {
  if (reason === 'maxTokens') return 'length';
  if (reason === 'abort') return 'cancelled';
  return 'stop';
}

/**
 * The grammar that holds the sampler to an output form: llama.cpp's JSON grammar, or one built
 * from the JSON Schema (node-llama-cpp supports a subset: type, properties, items, enum, const,
 * oneOf, $defs/$ref, string lengths and formats, array lengths; other keywords are not enforced).
 */
async function grammarFor(loaded: LoadedModel, output: OutputFormat | undefined): Promise<LlamaGrammar | undefined> {
  if (output === undefined) return undefined;
  if (output.kind === 'json') return loaded.model.llama.getGrammarFor('json');
  try {
    return await loaded.model.llama.createGrammarForJsonSchema(output.schema as never);
  } catch (cause) {
    throw errors.invalidArgument('response_format.json_schema.schema', `cannot be enforced: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/**
 * Runs one generation on a borrowed sequence: through the model's chat template (a fresh chat
 * session, so no history leaks between calls) or as raw completion (the model has no template, or
 * the call asks for a plain continuation). Prompt tokens are counted after templating with the
 * model's own tokenizer. An output form is enforced by a grammar on either path.
 */
export async function generateOn(
  loaded: LoadedModel,
  sequence: LlamaContextSequence,
  settings: LlamaSettings,
  prompt: string,
  params: GenerationParams,
  hooks: GenerationHooks,
): Promise<GenerationResult> {
  // An empty sequence per call: the same call always evaluates the same tokens, so a fixed seed
  // (or temperature 0) reproduces its output whatever ran on the sequence before.
  await sequence.clearHistory();
  let completionTokens = 0;
  const grammar = await grammarFor(loaded, params.output);
  const options = {
    grammar,
    temperature: params.temperature ?? settings.defaults.temperature,
    topP: params.topP ?? settings.defaults.topP,
    seed: params.seed ?? settings.defaults.seed,
    customStopTriggers: params.stop ?? settings.defaults.stop,
    signal: hooks.signal,
    // Aborting after the first token returns the partial text instead of throwing.
    stopOnAbortSignal: true,
    onTextChunk: hooks.onText,
    onToken: (tokens: Token[]) => {
      completionTokens += tokens.length;
      hooks.onTokens(tokens.length);
    },
  };
  const requested = params.maxTokens ?? settings.defaults.maxTokens;
  const maxTokens = (promptTokens: number): number => {
    const room = loaded.contextSize - promptTokens;
    if (room < 1) throw errors.invalidArgument('prompt', `is ${promptTokens} tokens after templating; the model's context holds ${loaded.contextSize}`);
    return Math.min(requested, room);
  };

  if (loaded.chatWrapper && params.raw !== true) {
    const session = new loaded.sdk.LlamaChatSession({ contextSequence: sequence, chatWrapper: loaded.chatWrapper, systemPrompt: settings.systemPrompt ?? '' });
    try {
      const history: ChatHistoryItem[] = [...session.getChatHistory(), { type: 'user', text: prompt }, { type: 'model', response: [] }];
      const promptTokens = session.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(loaded.model.tokenizer).length;
      const r = await session.promptWithMeta(prompt, { ...options, maxTokens: maxTokens(promptTokens) });
      return { text: r.responseText, promptTokens, completionTokens, finishReason: finishOf(r.stopReason) };
    } finally {
      session.dispose({ disposeSequence: false });
    }
  }

  const completion = new loaded.sdk.LlamaCompletion({ contextSequence: sequence });
  try {
    // LlamaCompletion prepends BOS itself when the vocabulary asks for it (and then trims the
    // leading space); tokenizing here the same way makes the count exact.
    const bos = loaded.model.tokens.shouldPrependBosToken ? loaded.model.tokens.bos : null;
    const tokens = loaded.model.tokenize(prompt, false, bos === null ? undefined : 'trimLeadingSpace');
    const promptTokens = tokens.length + (bos === null ? 0 : 1);
    const r = await completion.generateCompletionWithMeta(tokens, { ...options, maxTokens: maxTokens(promptTokens) });
    return { text: r.response, promptTokens, completionTokens, finishReason: finishOf(r.metadata.stopReason) };
  } finally {
    completion.dispose({ disposeSequence: false });
  }
}
