import { Type } from '@sinclair/typebox';
import { modelLimits, NON_BLANK_PATTERN } from '../../domain';
import { checkedByDomain, RequestBody } from '../schemas/common-schemas';
import { maxTokensRule, seedRule, StopSchema, temperatureRule, topPRule } from '../schemas/model-schemas';
import { modelDoc, modelRule, Nullable, onlyOne, onlyZero } from './openai-schemas';

/** Wire shapes of /openai/v1/chat/completions and /openai/v1/completions (names and fields as OpenAI's). */

const ContentPart = Type.Object(
  { type: Type.Literal('text'), text: Type.String() },
  { description: 'Only text parts are supported.' },
);

const FunctionCall = Type.Object(
  {
    name: Type.String({ description: 'The tool called.' }),
    arguments: Type.String({ description: 'Its arguments, a JSON object as text.' }),
  },
  { additionalProperties: false },
);

const ToolCallWire = Type.Object(
  { id: Type.String(), type: Type.Literal('function'), function: FunctionCall },
  { description: 'A call of one of the tools offered.', additionalProperties: false },
);

export const ChatMessage = Type.Object(
  {
    role: Type.String({ description: 'system, developer (read as system), user, assistant or tool.', examples: ['user'] }),
    content: Nullable(Type.Union([Type.String(), Type.Array(ContentPart)], { description: 'Text, or an array of text parts; null or absent on an assistant turn that called tools.' })),
    name: Type.Optional(Type.String({ description: 'Accepted and ignored.' })),
    tool_calls: Type.Optional(Type.Array(ToolCallWire, { description: 'The calls an earlier assistant turn made.' })),
    tool_call_id: Type.Optional(Type.String({ description: 'On a tool turn: the call whose result this is.' })),
  },
  { description: 'One chat message.' },
);

const JsonSchemaFormat = Type.Object(
  {
    name: Type.String({ description: '1-64 letters, digits, _ or -.' }),
    description: Type.Optional(Type.String({ description: 'Accepted and ignored.' })),
    schema: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'The JSON Schema the answer must match.' })),
    strict: Nullable(Type.Boolean({ description: 'Accepted: the schema is always enforced, by a grammar.' })),
  },
  { additionalProperties: false },
);

const ResponseFormatWire = Type.Union(
  [
    Type.Object({ type: Type.Literal('text') }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('json_object') }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('json_schema'), json_schema: JsonSchemaFormat }, { additionalProperties: false }),
  ],
  {
    description:
      'text (default); json_object: the answer is a JSON object; json_schema: it matches json_schema.schema. Enforced while generating, by a ' +
      "llama.cpp grammar built from the schema (a remote model: its server's response_format); keywords the grammar cannot express " +
      '(minimum, pattern, …) are not enforced. An answer cut by max_tokens (finish_reason length) is incomplete JSON.',
  },
);

const ToolWire = Type.Object(
  {
    type: Type.Literal('function'),
    function: Type.Object(
      {
        name: Type.String({ description: '1-64 letters, digits, _ or -, unique.' }),
        description: Type.Optional(Type.String({ description: 'What the tool does; the model reads it.' })),
        parameters: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'A JSON Schema of the arguments object.' })),
        strict: Nullable(Type.Boolean({ description: 'Accepted: arguments always match the schema, by a grammar.' })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const ToolChoiceWire = Type.Union(
  [
    Type.Union([Type.Literal('none'), Type.Literal('auto'), Type.Literal('required')]),
    Type.Object({ type: Type.Literal('function'), function: Type.Object({ name: Type.String() }, { additionalProperties: false }) }, { additionalProperties: false }),
  ],
  { description: 'none, auto (default with tools: the model calls a tool or answers), required (some tool) or {type: function, function: {name}}.' },
);

export const ChatCompletionBody = RequestBody(
  {
    model: Type.String({ description: modelDoc, examples: ['smollm'], ...modelRule }),
    messages: Type.Array(ChatMessage, { description: 'The conversation so far, at least one message; rendered into one prompt (see the operation description).' }),
    max_tokens: Nullable(Type.Integer({ description: "Most tokens to generate, 1 up to the model's context.", examples: [64], ...maxTokensRule })),
    max_completion_tokens: Nullable(Type.Integer({ description: 'The newer name of max_tokens; wins when both are given.', ...maxTokensRule })),
    temperature: Nullable(Type.Number({ description: '0 (greedy) to 2.', examples: [0.7], ...temperatureRule })),
    top_p: Nullable(Type.Number({ description: 'Nucleus sampling, in (0, 1].', ...topPRule })),
    stop: Nullable(StopSchema({ description: 'A stop sequence or up to 8 of them; the text ends before the first, which it does not contain.' })),
    seed: Nullable(Type.Integer({ description: 'Sampling seed, 0..4294967295: the same seed, prompt and settings give the same text.', ...seedRule })),
    stream: Nullable(Type.Boolean({ description: 'Answer as Server-Sent Events of chat.completion.chunk, ended by `data: [DONE]`.' })),
    stream_options: Nullable(Type.Object({ include_usage: Type.Optional(Type.Boolean()) }, { description: 'include_usage: one more chunk with the usage before [DONE].' })),
    n: Nullable(Type.Integer({ description: 'Only 1 is supported.', ...onlyOne })),
    presence_penalty: Nullable(Type.Number({ description: 'Only 0 is supported.', ...onlyZero })),
    frequency_penalty: Nullable(Type.Number({ description: 'Only 0 is supported.', ...onlyZero })),
    user: Nullable(Type.String({ description: 'Accepted and ignored.' })),
    response_format: Nullable(ResponseFormatWire),
    tools: Nullable(Type.Array(ToolWire, { description: 'Functions the model may call (at most 128).' })),
    tool_choice: Nullable(ToolChoiceWire),
    parallel_tool_calls: Nullable(Type.Boolean({ description: 'Accepted: an answer makes at most one call.' })),
  },
  {
    description: 'CreateChatCompletionRequest (text parts only: no images, audio or logprobs).',
    examples: [{ model: 'smollm', messages: [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: 'What is the capital of France?' }], max_tokens: 32 }],
  },
);

const Usage = Type.Object({ prompt_tokens: Type.Integer(), completion_tokens: Type.Integer(), total_tokens: Type.Integer() });

export const ChatCompletionResponse = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('chat.completion'),
    created: Type.Integer({ description: 'Unix seconds.' }),
    model: Type.String(),
    choices: Type.Array(
      Type.Object({
        index: Type.Integer(),
        message: Type.Object({
          role: Type.Literal('assistant'),
          content: Type.Union([Type.String(), Type.Null()], { description: 'The answer; null when the model called tools.' }),
          tool_calls: Type.Optional(Type.Array(ToolCallWire)),
        }),
        finish_reason: Type.String({ description: 'stop, length or tool_calls.' }),
        logprobs: Type.Null(),
      }),
    ),
    usage: Usage,
  },
  {
    description: 'A chat.completion; with stream=true the answer is text/event-stream of chat.completion.chunk objects instead, then `data: [DONE]`.',
    examples: [
      {
        id: 'chatcmpl-0b1f4c2e-8f0e-4a57-b1a4-64d1a9a4f2b7',
        object: 'chat.completion',
        created: 1735689600,
        model: 'smollm',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: 31, completion_tokens: 3, total_tokens: 34 },
      },
    ],
  },
);

export const CompletionBody = RequestBody(
  {
    model: Type.String({ description: modelDoc, examples: ['smollm'], ...modelRule }),
    prompt: Type.String({ description: 'The text to continue, as it is (no chat template); not blank, at most 256 KiB.', examples: ['The capital of France is'], ...checkedByDomain({ pattern: NON_BLANK_PATTERN, maxLength: modelLimits.maxPromptBytes }) }),
    max_tokens: Nullable(Type.Integer({ description: "Most tokens to generate, 1 up to the model's context.", examples: [16], ...maxTokensRule })),
    temperature: Nullable(Type.Number({ description: '0 (greedy) to 2.', ...temperatureRule })),
    top_p: Nullable(Type.Number({ description: 'Nucleus sampling, in (0, 1].', ...topPRule })),
    stop: Nullable(StopSchema({ description: 'A stop sequence or up to 8 of them; the text ends before the first, which it does not contain.' })),
    seed: Nullable(Type.Integer({ description: 'Sampling seed, 0..4294967295: the same seed, prompt and settings give the same text.', ...seedRule })),
    stream: Nullable(Type.Boolean({ description: 'Answer as Server-Sent Events of text_completion chunks, ended by `data: [DONE]`.' })),
    stream_options: Nullable(Type.Object({ include_usage: Type.Optional(Type.Boolean()) }, { description: 'include_usage: one more chunk with the usage before [DONE].' })),
    n: Nullable(Type.Integer({ description: 'Only 1 is supported.', ...onlyOne })),
    presence_penalty: Nullable(Type.Number({ description: 'Only 0 is supported.', ...onlyZero })),
    frequency_penalty: Nullable(Type.Number({ description: 'Only 0 is supported.', ...onlyZero })),
    user: Nullable(Type.String({ description: 'Accepted and ignored.' })),
  },
  { description: 'CreateCompletionRequest (a string prompt; no echo, suffix, best_of or logprobs).', examples: [{ model: 'smollm', prompt: 'The capital of France is', max_tokens: 8 }] },
);

export const CompletionResponse = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('text_completion'),
    created: Type.Integer({ description: 'Unix seconds.' }),
    model: Type.String(),
    choices: Type.Array(Type.Object({ index: Type.Integer(), text: Type.String(), finish_reason: Type.String({ description: 'stop or length.' }), logprobs: Type.Null() })),
    usage: Usage,
  },
  {
    description: 'A text_completion; with stream=true the answer is text/event-stream of text_completion chunks instead, then `data: [DONE]`.',
    examples: [
      {
        id: 'cmpl-0b1f4c2e-8f0e-4a57-b1a4-64d1a9a4f2b7',
        object: 'text_completion',
        created: 1735689600,
        model: 'smollm',
        choices: [{ index: 0, text: ' Paris.', finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 },
      },
    ],
  },
);

