/**
 * The session as one conversation: each model event's input history then its output, in start
 * order, without the history each turn repeats.
 *
 * Deduplication: every conversation seen so far (an event's history followed by its output) goes
 * into a trie of message keys; a later event's history skips its longest prefix already in the
 * trie, and everything up to the last message that an earlier event produced (a history trimmed to
 * a sliding window no longer starts like the previous one, but still repeats its output). So a
 * linear chat shows each message once, parallel conversations (sub-agents with their own system
 * prompt) each keep their own messages, and a user message legitimately repeated later ("yes") is
 * still shown.
 */
import type { SessionNode } from '../api/types';
import { type ChatMessage, inputMessages, messageKey, outputMessages } from '../event/chat';

export interface ThreadItem {
  /** Unique within the thread. */
  key: string;
  eventId: string;
  eventName: string;
  from: 'input' | 'output';
  message: ChatMessage;
}

interface TrieNode {
  next: Map<string, TrieNode>;
}

export function modelEvents(order: readonly SessionNode[]): SessionNode[] {
  return order
    .filter((node) => node.event_type === 'model')
    .map((node, i) => ({ node, i }))
    .sort((a, b) => a.node.start_time - b.node.start_time || a.i - b.i)
    .map(({ node }) => node);
}

export function buildThread(order: readonly SessionNode[]): ThreadItem[] {
  const root: TrieNode = { next: new Map() };
  const produced = new Set<string>();
  const items: ThreadItem[] = [];
  for (const event of modelEvents(order)) {
    const history = inputMessages(event.inputs)?.messages ?? [];
    const outputs = outputMessages(event.outputs)?.messages ?? [];
    const historyKeys = history.map(messageKey);
    let at = root;
    let skip = 0;
    while (skip < historyKeys.length) {
      const next = at.next.get(historyKeys[skip] as string);
      if (!next) break;
      at = next;
      skip++;
    }
    for (let i = historyKeys.length - 1; i >= skip; i--) {
      if (produced.has(historyKeys[i] as string)) {
        skip = i + 1;
        break;
      }
    }
    history.forEach((message, i) => {
      if (i >= skip) {
        items.push({
          key: `${event.event_id}:in:${i}`,
          eventId: event.event_id,
          eventName: event.event_name,
          from: 'input',
          message,
        });
      }
    });
    outputs.forEach((message, i) => {
      items.push({
        key: `${event.event_id}:out:${i}`,
        eventId: event.event_id,
        eventName: event.event_name,
        from: 'output',
        message,
      });
    });
    // Remember the whole conversation (history + the first output, which the next turn repeats).
    let node = root;
    const outputKeys = outputs.map(messageKey);
    for (const key of outputKeys) produced.add(key);
    const keys = outputKeys.length > 0 ? [...historyKeys, outputKeys[0] as string] : historyKeys;
    for (const key of keys) {
      let next = node.next.get(key);
      if (!next) {
        next = { next: new Map() };
        node.next.set(key, next);
      }
      node = next;
    }
  }
  return items;
}
