/**
 * Reading chat messages out of event inputs and outputs (docs/normalization.md): HoneyHive's
 * `inputs.chat_history` (or `messages`) of `{ role, content, tool_calls }`, and outputs that are one
 * such message, `choices` of them (or of `{ message }`), or `messages`.
 */

/** A value the API cut short (docs/read-api.md, "Response size"). */
export interface TruncatedValue {
  _truncated: true;
  _preview: string;
  _bytes: number;
}

export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown;
  name?: string;
  tool_call_id?: string;
}

export interface ToolCall {
  id?: string;
  name: string;
  arguments: unknown;
}

export type ContentPart = { kind: 'text'; text: string } | { kind: 'other'; value: unknown };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isTruncated(value: unknown): value is TruncatedValue {
  return isRecord(value) && value._truncated === true && typeof value._preview === 'string';
}

/** `value` as a chat message when it is one: a string role and content or tool calls. */
export function toMessage(value: unknown): ChatMessage | null {
  if (!isRecord(value) || typeof value.role !== 'string' || value.role === '') return null;
  if (!('content' in value) && !('tool_calls' in value)) return null;
  return value as unknown as ChatMessage;
}

/** `value` as a list of chat messages when every item is one (and there is at least one). */
export function toMessages(value: unknown): ChatMessage[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const out: ChatMessage[] = [];
  for (const item of value) {
    const message = toMessage(item) ?? (isRecord(item) ? toMessage(item.message) : null);
    if (!message) return null;
    out.push(message);
  }
  return out;
}

export const INPUT_MESSAGE_KEYS = ['chat_history', 'messages', 'prompt'] as const;

/** The conversation an event was given, and under which key of its inputs. */
export function inputMessages(inputs: unknown): { key: string; messages: ChatMessage[] } | null {
  if (!isRecord(inputs)) return null;
  for (const key of INPUT_MESSAGE_KEYS) {
    const messages = toMessages(inputs[key]);
    if (messages) return { key, messages };
  }
  return null;
}

/**
 * The messages an event produced, and the keys of outputs they came from (`null` key: outputs is
 * itself the message).
 */
export function outputMessages(outputs: unknown): { keys: string[]; messages: ChatMessage[] } | null {
  if (!isRecord(outputs)) return null;
  const self = toMessage(outputs);
  if (self) return { keys: ['role', 'content', 'tool_calls'], messages: [self] };
  for (const key of ['choices', 'messages']) {
    const messages = toMessages(outputs[key]);
    if (messages) return { keys: [key], messages };
  }
  const one = toMessage(outputs.message);
  if (one) return { keys: ['message'], messages: [one] };
  return null;
}

function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}

/** A message's tool calls, OpenAI style (`function: { name, arguments }`) or flat. */
export function toolCalls(message: ChatMessage): ToolCall[] {
  const list = message.tool_calls;
  if (!Array.isArray(list)) return [];
  return list.map((item): ToolCall => {
    if (!isRecord(item)) return { name: 'tool call', arguments: item };
    const fn = isRecord(item.function) ? item.function : item;
    const name = typeof fn.name === 'string' ? fn.name : 'tool call';
    const args = fn.arguments ?? fn.input ?? fn.args;
    return { id: typeof item.id === 'string' ? item.id : undefined, name, arguments: parseMaybeJson(args) };
  });
}

/** Content as parts: text (string, `{type:'text', text}`, `{text}`, GenAI `{type:'text', content}`) or other. */
export function contentParts(content: unknown): ContentPart[] {
  if (content === null || content === undefined || content === '') return [];
  if (typeof content === 'string') return [{ kind: 'text', text: content }];
  const items = Array.isArray(content) ? content : [content];
  return items.map((part): ContentPart => {
    if (typeof part === 'string') return { kind: 'text', text: part };
    if (isRecord(part) && (part.type === undefined || part.type === 'text')) {
      if (typeof part.text === 'string') return { kind: 'text', text: part.text };
      if (typeof part.content === 'string') return { kind: 'text', text: part.content };
    }
    return { kind: 'other', value: part };
  });
}

/** The text of a message, for comparisons. */
function contentKey(content: unknown): string {
  const parts = contentParts(content);
  return parts
    .map((part) => (part.kind === 'text' ? part.text.trim() : JSON.stringify(part.value)))
    .join('\n');
}

/**
 * A message's identity across turns: role, text and tool calls, ignoring representation details
 * (a string vs text parts, `content: null` vs none, argument strings vs objects).
 */
export function messageKey(message: ChatMessage): string {
  const calls = toolCalls(message).map((call) => [call.name, call.arguments]);
  return JSON.stringify([
    message.role.toLowerCase(),
    contentKey(message.content),
    calls,
    message.tool_call_id ?? null,
  ]);
}
