import { randomUUID } from 'node:crypto';
import { errors } from '../../errors';
import { checkJsonSize } from '../check-json-size';
import type { FinishReason, GenerationResult, OutputFormat, ToolCall } from './model-types';

/** OpenAI's response_format, in the domain's terms. */
export type ResponseFormat = { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; schema?: Record<string, unknown> };

/** A tool the caller offers: a function with a JSON Schema for its arguments (an object). */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

/** none: answer in text; auto: the model chooses; required: call some tool; {name}: call that one. */
export type ToolChoice = 'none' | 'auto' | 'required' | { name: string };

/** How one chat is generated: a preface naming the tools, the enforced form of the output, and whether it is read as a tool call. */
export interface ChatPlan {
  preface?: string;
  output?: OutputFormat;
  readsToolCall: boolean;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_TOOLS = 128;
const MAX_SCHEMA_BYTES = 16 * 1024;
const MAX_DESCRIPTION = 1024;

/**
 * Structured output rests on the provider's enforcement of an OutputFormat (llama.cpp grammars).
 * Tool calls are built on it for every model, whether or not it was trained to call tools: the
 * tools are described in a system turn, and the answer is constrained to one JSON object naming a
 * tool and its arguments (matching the tool's schema), or, with `auto`, to that or `{"content": …}`.
 * A model choosing poorly between the two (small ones do) is steered with `required` or a name.
 */
export function planChat(request: { responseFormat?: ResponseFormat; tools?: ToolDefinition[]; toolChoice?: ToolChoice }): ChatPlan {
  const tools = request.tools ?? [];
  checkTools(tools);
  const choice = request.toolChoice ?? (tools.length > 0 ? 'auto' : 'none');
  const format = request.responseFormat ?? { type: 'text' };
  const output = outputOf(format);
  if (choice === 'none') return { output, readsToolCall: false };
  if (tools.length === 0) throw errors.invalidArgument('tool_choice', `'${typeof choice === 'string' ? choice : choice.name}' needs tools`);
  const called = typeof choice === 'string' ? tools : tools.filter((t) => t.name === choice.name);
  if (called.length === 0) throw errors.invalidArgument('tool_choice', `no tool named '${(choice as { name: string }).name}'; tools: ${tools.map((t) => t.name).join(', ')}`);
  if (output !== undefined) throw errors.invalidArgument('response_format', 'cannot be combined with tools: one grammar constrains the answer; send tool_choice none or drop response_format');
  const calls = called.map((t) => ({ type: 'object', properties: { name: { const: t.name }, arguments: argumentsSchema(t) } }));
  const answers = choice === 'auto' ? [...calls, { type: 'object', properties: { content: { type: 'string' } } }] : calls;
  const schema = answers.length === 1 ? answers[0]! : { oneOf: answers };
  return { preface: preface(called, choice === 'auto'), output: { kind: 'json_schema', name: 'tool_call', schema }, readsToolCall: true };
}

/** A generation constrained by planChat, read back: tool calls (finish 'tool_calls') or the text it chose to answer. */
export function readToolAnswer<T extends GenerationResult>(result: T): T & { toolCalls?: ToolCall[] } {
  let answer: unknown;
  try {
    answer = JSON.parse(result.text);
  } catch {
    // Cut by max_tokens (or stopped): not a call; the caller gets the text and its finish reason.
    return result;
  }
  if (isObject(answer) && typeof answer.name === 'string' && isObject(answer.arguments)) {
    const call: ToolCall = { id: `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`, name: answer.name, arguments: JSON.stringify(answer.arguments) };
    return { ...result, text: '', toolCalls: [call], finishReason: 'tool_calls' satisfies FinishReason };
  }
  if (isObject(answer) && typeof answer.content === 'string') return { ...result, text: answer.content };
  return result;
}

function outputOf(format: ResponseFormat): OutputFormat | undefined {
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return { kind: 'json' };
    case 'json_schema': {
      if (!NAME.test(format.name)) throw errors.invalidArgument('response_format.json_schema.name', 'must be 1-64 letters, digits, _ or -');
      const schema = format.schema ?? { type: 'object', additionalProperties: true };
      if (!isObject(schema)) throw errors.invalidArgument('response_format.json_schema.schema', 'must be a JSON Schema object');
      checkJsonSize(schema, 'response_format.json_schema.schema', MAX_SCHEMA_BYTES);
      return { kind: 'json_schema', name: format.name, schema };
    }
    default:
      throw errors.invalidArgument('response_format.type', `'${(format as { type: string }).type}' is not supported; use text, json_object or json_schema`);
  }
}

function checkTools(tools: ToolDefinition[]): void {
  if (tools.length > MAX_TOOLS) throw errors.invalidArgument('tools', `at most ${MAX_TOOLS} tools`);
  const seen = new Set<string>();
  tools.forEach((t, i) => {
    if (!NAME.test(t.name)) throw errors.invalidArgument(`tools[${i}].function.name`, 'must be 1-64 letters, digits, _ or -');
    if (seen.has(t.name)) throw errors.invalidArgument(`tools[${i}].function.name`, `'${t.name}' is offered twice`);
    seen.add(t.name);
    if (t.description !== undefined && t.description.length > MAX_DESCRIPTION) throw errors.invalidArgument(`tools[${i}].function.description`, `at most ${MAX_DESCRIPTION} characters`);
    if (t.parameters !== undefined) {
      if (!isObject(t.parameters) || (t.parameters.type !== undefined && t.parameters.type !== 'object')) {
        throw errors.invalidArgument(`tools[${i}].function.parameters`, 'must be a JSON Schema of an object');
      }
      checkJsonSize(t.parameters, `tools[${i}].function.parameters`, MAX_SCHEMA_BYTES);
    }
  });
}

/** A tool without parameters takes an empty object. */
function argumentsSchema(tool: ToolDefinition): Record<string, unknown> {
  return tool.parameters === undefined ? { type: 'object', properties: {} } : { type: 'object', ...tool.parameters };
}

function preface(tools: ToolDefinition[], mayAnswer: boolean): string {
  const lines = tools.map((t) => `- ${t.name}${t.description ? `: ${t.description}` : ''} Arguments: ${JSON.stringify(argumentsSchema(t))}`);
  const how = mayAnswer
    ? 'To call a tool, answer with only {"name": <tool>, "arguments": <its arguments>}; to answer yourself, answer with only {"content": <your answer>}.'
    : 'Answer with only {"name": <tool>, "arguments": <its arguments>}.';
  return `You can call these tools. ${how}\n${lines.join('\n')}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
