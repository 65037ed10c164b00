import { errors } from '../../errors';
import type { ToolCall } from './model-types';
import type { ResponseFormat, ToolChoice, ToolDefinition } from './structured-output';

/** One turn of a conversation. */
export interface ChatMessage {
  /** system, developer (read as system), user, assistant or tool. */
  role: string;
  content: string;
  /** An assistant turn that called tools (its content may then be empty). */
  toolCalls?: ToolCall[];
  /** A tool turn: the call it answers. */
  toolCallId?: string;
}

/** What a completion or a chat may ask besides its text: one answer, no penalties. */
export interface SamplingRequest {
  /** Generation parameters by the names GenerateText takes (max_tokens, temperature, ...). */
  parameters?: Record<string, unknown> | null;
  /** How many answers to produce; only 1 is supported. */
  choices?: number;
  /** Only 0 is supported: the providers apply no penalties. */
  presencePenalty?: number;
  frequencyPenalty?: number;
}

/**
 * A chat request in the domain's terms. Violations name `messages[i].role`, `messages` (the
 * rendered prompt), `choices`, `presence_penalty`, `frequency_penalty`, `response_format…`,
 * `tools[i]…`, `tool_choice` and `parameters.<key>`; a door whose request names them otherwise
 * (OpenAI's `n`) renames them in its one error table.
 */
export interface ChatRequest extends SamplingRequest {
  messages: ChatMessage[];
  /** The form of the answer: text (default), any JSON object, or JSON matching a schema. */
  responseFormat?: ResponseFormat;
  /** Tools the model may call instead of answering in text. */
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
}

/** A completion: the prompt is continued as it is, without the model's chat template. */
export interface CompletionRequest extends SamplingRequest {
  prompt: string;
}

/** The field the rendered prompt's violations (empty, too long, no room in the context) are reported under. */
export const CHAT_PROMPT_FIELD = 'messages';

const ROLE_LABELS: Record<string, string> = { system: 'System', developer: 'System', user: 'User', assistant: 'Assistant', tool: 'Tool' };

/** One answer and no penalties: the providers sample one text and apply none. */
export function checkSampling(request: SamplingRequest): void {
  if (request.choices !== undefined && request.choices !== 1) throw errors.invalidArgument('choices', 'only 1 choice is supported');
  for (const [field, value] of [['presence_penalty', request.presencePenalty], ['frequency_penalty', request.frequencyPenalty]] as const) {
    if (value !== undefined && value !== 0) throw errors.invalidArgument(field, 'is not supported (only 0)');
  }
}

/**
 * The one prompt a conversation becomes. Providers generate from one prompt string, and the
 * model's own chat template wraps it as a user turn. One user message is therefore sent as it is
 * (so a single-turn chat equals GenerateText with that prompt); a longer conversation is rendered
 * as a labelled transcript, "System: …\n\nUser: …\n\nAssistant: …", inside that one turn. A
 * `preface` (the tools on offer) comes first, as a system turn.
 */
export function chatPrompt(request: ChatRequest, preface?: string): string {
  checkSampling(request);
  const turns = request.messages.map((m, i) => {
    const label = ROLE_LABELS[m.role];
    if (label === undefined) throw errors.invalidArgument(`messages[${i}].role`, `'${m.role}' is not supported; use system, developer, user, assistant or tool`);
    return { role: m.role, label, text: turnText(m) };
  });
  if (preface !== undefined) turns.unshift({ role: 'system', label: ROLE_LABELS.system!, text: preface });
  if (turns.length === 1 && turns[0]!.role === 'user') return turns[0]!.text;
  return turns.map((t) => `${t.label}: ${t.text}`).join('\n\n');
}

/** An assistant's tool calls and a tool's answer, in words the transcript can carry. */
function turnText(m: ChatMessage): string {
  const calls = (m.toolCalls ?? []).map((c) => `[called ${c.name} with ${c.arguments}]`);
  if (m.role === 'tool' && m.toolCallId !== undefined) return `[result of ${m.toolCallId}] ${m.content}`;
  return [m.content, ...calls].filter((part) => part !== '').join('\n');
}
