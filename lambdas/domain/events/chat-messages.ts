/**
 * Converts the message shapes of the conventions to HoneyHive's chat format
 * ({ role, content, tool_calls? }) used by inputs.chat_history and model outputs.
 */
import type { JsonObject } from './event';
import { isPlainObject, setOwn } from './json-path';

function stringify(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Adds `item` to a list that is created on first use. */
function append<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  list.push(item);
  return list;
}

/**
 * OTel GenAI messages carry `parts` ([{ type: 'text', content }, { type: 'tool_call', ... }]);
 * text parts become `content`, tool calls `tool_calls`, tool responses `content` + `tool_call_id`.
 * Other part types are kept under `parts`. Messages already in { role, content } form pass through.
 */
export function toChatMessage(message: unknown): unknown {
  if (!isPlainObject(message) || !Array.isArray(message.parts)) return message;
  const out: JsonObject = {};
  for (const key of Object.keys(message)) if (key !== 'parts') setOwn(out, key, message[key]);
  // Most messages have a single text part: the lists are only allocated when a part needs them.
  let content: string | undefined;
  let toolCalls: JsonObject[] | undefined;
  let otherParts: unknown[] | undefined;
  for (const part of message.parts) {
    if (!isPlainObject(part)) {
      otherParts = append(otherParts, part);
    } else if (part.type === 'text' && part.content !== undefined) {
      content = (content ?? '') + stringify(part.content);
    } else if (part.type === 'tool_call') {
      toolCalls = append(toolCalls, {
        id: part.id ?? null,
        type: 'function',
        function: { name: part.name ?? null, arguments: part.arguments ?? null },
      });
    } else if (part.type === 'tool_call_response') {
      content = (content ?? '') + stringify(part.response ?? part.result ?? '');
      if (part.id !== undefined) out.tool_call_id = part.id;
    } else {
      otherParts = append(otherParts, part);
    }
  }
  if (content !== undefined) out.content = content;
  if (toolCalls !== undefined) out.tool_calls = toolCalls;
  if (otherParts !== undefined) out.parts = otherParts;
  return out;
}

export function toChatHistory(messages: readonly unknown[]): unknown[] {
  return messages.map(toChatMessage);
}

/**
 * Model outputs in HoneyHive form: the first choice's fields at the top level ({ role, content,
 * finish_reason }) and, when there are several, all of them under `choices`.
 */
export function outputsFromMessages(messages: readonly unknown[], outputs: JsonObject): void {
  const chat = messages.filter((m) => m !== undefined && m !== null).map(toChatMessage);
  const first = chat[0];
  if (isPlainObject(first)) {
    for (const key of Object.keys(first)) if (!Object.hasOwn(outputs, key)) setOwn(outputs, key, first[key]);
  }
  if (chat.length > 1 || (chat.length === 1 && !isPlainObject(first))) outputs.choices = chat;
}
