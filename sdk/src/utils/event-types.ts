/** HoneyHive event types, as the ingest normalizer validates them (docs/normalization.md). */
export const EVENT_TYPES = ['model', 'tool', 'chain', 'session'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const MODEL_WORDS = new Set([
  'llm',
  'chat',
  'completion',
  'completions',
  'complete',
  'generate',
  'generation',
  'embed',
  'embedding',
  'embeddings',
  'model',
  'inference',
]);
const TOOL_WORDS = new Set(['tool', 'tools', 'retrieve', 'retriever', 'retrieval', 'search']);

function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

/** Splits `callLLM`, `chat_completion`, `web-search` into lower-case words. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/**
 * The event type a span name implies: model calls by name (llm, chat, completion, ...), tools
 * (tool, search, retrieval), everything else is a chain step. Whole words only, so `toolbox` or
 * `modeling` do not match by accident.
 */
export function inferEventType(name: string): EventType {
  const ws = words(name);
  if (ws.some((w) => MODEL_WORDS.has(w))) return 'model';
  if (ws.some((w) => TOOL_WORDS.has(w))) return 'tool';
  return 'chain';
}

/** An explicit type when valid, else the inferred one. */
export function resolveEventType(name: string, explicit?: string): EventType {
  if (explicit !== undefined) {
    const lower = explicit.toLowerCase();
    if (isEventType(lower)) return lower;
  }
  return inferEventType(name);
}
