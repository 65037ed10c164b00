import { errors } from '../../errors';

/** One turn of a conversation. */
export interface ChatMessage {
  /** system, developer (read as system), user or assistant. */
  role: string;
  content: string;
}

/**
 * A chat request in the domain's terms. Violations name `messages[i].role`, `messages` (the
 * rendered prompt), `choices`, `presence_penalty`, `frequency_penalty` and `parameters.<key>`; a
 * door whose request names them otherwise (OpenAI's `n`) renames them in its one error table.
 */
export interface ChatRequest {
  messages: ChatMessage[];
  /** Generation parameters by the names GenerateText takes (max_tokens, temperature, ...). */
  parameters?: Record<string, unknown> | null;
  /** How many answers to produce; only 1 is supported. */
  choices?: number;
  /** Only 0 is supported: the providers apply no penalties. */
  presencePenalty?: number;
  frequencyPenalty?: number;
}

/** The field the rendered prompt's violations (empty, too long, no room in the context) are reported under. */
export const CHAT_PROMPT_FIELD = 'messages';

const ROLE_LABELS: Record<string, string> = { system: 'System', developer: 'System', user: 'User', assistant: 'Assistant' };

/**
 * The one prompt a conversation becomes. Providers generate from one prompt string, and the
 * model's own chat template wraps it as a user turn. One user message is therefore sent as it is
 * (so a single-turn chat equals GenerateText with that prompt); a longer conversation is rendered
 * as a labelled transcript, "System: …\n\nUser: …\n\nAssistant: …", inside that one turn.
 */
export function chatPrompt(request: ChatRequest): string {
  if (request.choices !== undefined && request.choices !== 1) throw errors.invalidArgument('choices', 'only 1 choice is supported');
  for (const [field, value] of [['presence_penalty', request.presencePenalty], ['frequency_penalty', request.frequencyPenalty]] as const) {
    if (value !== undefined && value !== 0) throw errors.invalidArgument(field, 'is not supported (only 0)');
  }
  const turns = request.messages.map((m, i) => {
    const label = ROLE_LABELS[m.role];
    if (label === undefined) throw errors.invalidArgument(`messages[${i}].role`, `'${m.role}' is not supported; use system, developer, user or assistant`);
    return { role: m.role, label, text: m.content };
  });
  if (turns.length === 1 && turns[0]!.role === 'user') return turns[0]!.text;
  return turns.map((t) => `${t.label}: ${t.text}`).join('\n\n');
}
