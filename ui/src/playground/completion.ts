/**
 * One playground run against the data plane's LLM proxy (`POST /v1/chat/completions`, OpenAI's
 * shape): reads a streamed answer (SSE `chat.completion.chunk` events, then `[DONE]`) or a plain
 * `chat.completion`, and measures time to first token and latency on the way.
 */
import { readSse } from './sse';

export interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

export interface ToolCallSoFar {
  id?: string;
  name: string;
  arguments: string;
}

export interface CompletionResult {
  content: string;
  toolCalls: ToolCallSoFar[];
  finishReason?: string;
  model?: string;
  usage?: ChatUsage;
  /** US dollars, when the proxy said (header `x-waggle-cost-usd`, or a `cost` beside the usage). */
  costUsd?: number;
  /** The model event the proxy recorded (header `x-waggle-event-id`). */
  eventId?: string;
  sessionId?: string;
  /** From sending the request to the last byte. */
  latencyMs: number;
  /** From sending the request to the first piece of text (streamed runs). */
  firstTokenMs?: number;
}

/** The proxy (or the provider behind it) reported an error inside an answer. */
export class CompletionError extends Error {
  override readonly name = 'CompletionError';
  constructor(
    message: string,
    readonly code?: string,
    readonly type?: string,
  ) {
    super(message);
  }
}

export interface ReadOptions {
  /** When the request was sent (same clock as `now`). */
  startedAt: number;
  now(): number;
  /** Called with the answer so far each time it grows. */
  onProgress?(partial: Pick<CompletionResult, 'content' | 'toolCalls'>): void;
}

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function usageOf(value: unknown): { usage?: ChatUsage; cost?: number } {
  const usage = record(value);
  if (!usage) return {};
  const out: ChatUsage = {};
  const prompt = count(usage.prompt_tokens);
  const completion = count(usage.completion_tokens);
  const total = count(usage.total_tokens);
  if (prompt !== undefined) out.prompt_tokens = prompt;
  if (completion !== undefined) out.completion_tokens = completion;
  if (total !== undefined) out.total_tokens = total;
  const cost = count(usage.cost) ?? count(usage.cost_usd);
  return { usage: out, ...(cost !== undefined && { cost }) };
}

/** `{error: {message, type, code}}` (OpenAI) or `{error: "..."}`, as a CompletionError. */
export function errorOf(body: unknown): CompletionError | undefined {
  const top = record(body);
  if (!top || top.error === undefined || top.error === null) return undefined;
  if (typeof top.error === 'string') return new CompletionError(top.error);
  const error = record(top.error);
  if (!error) return undefined;
  const message =
    typeof error.message === 'string' && error.message !== '' ? error.message : 'The model call failed';
  return new CompletionError(
    message,
    typeof error.code === 'string' ? error.code : undefined,
    typeof error.type === 'string' ? error.type : undefined,
  );
}

function headerInfo(headers: Headers): Pick<CompletionResult, 'costUsd' | 'eventId' | 'sessionId'> {
  const out: Pick<CompletionResult, 'costUsd' | 'eventId' | 'sessionId'> = {};
  const eventId = headers.get('x-waggle-event-id');
  const sessionId = headers.get('x-waggle-session-id');
  const cost = Number.parseFloat(headers.get('x-waggle-cost-usd') ?? '');
  if (eventId) out.eventId = eventId;
  if (sessionId) out.sessionId = sessionId;
  if (Number.isFinite(cost)) out.costUsd = cost;
  return out;
}

/** Reads a successful (2xx) answer, streamed or not. */
export async function readCompletion(response: Response, options: ReadOptions): Promise<CompletionResult> {
  const contentType = response.headers.get('content-type') ?? '';
  const fromHeaders = headerInfo(response.headers);
  if (!contentType.includes('text/event-stream') || response.body === null) {
    const body: unknown = JSON.parse(await response.text());
    const error = errorOf(body);
    if (error) throw error;
    const top = record(body) ?? {};
    const choice = record(Array.isArray(top.choices) ? top.choices[0] : undefined) ?? {};
    const message = record(choice.message) ?? {};
    const { usage, cost } = usageOf(top.usage);
    const toolCalls = (Array.isArray(message.tool_calls) ? message.tool_calls : []).map((call) => {
      const fn = record(record(call)?.function) ?? {};
      return {
        id: typeof record(call)?.id === 'string' ? (record(call)?.id as string) : undefined,
        name: typeof fn.name === 'string' ? fn.name : '',
        arguments: typeof fn.arguments === 'string' ? fn.arguments : '',
      };
    });
    return {
      content: typeof message.content === 'string' ? message.content : '',
      toolCalls,
      ...(typeof choice.finish_reason === 'string' && { finishReason: choice.finish_reason }),
      ...(typeof top.model === 'string' && { model: top.model }),
      ...(usage && { usage }),
      ...(cost !== undefined && { costUsd: cost }),
      ...fromHeaders,
      latencyMs: options.now() - options.startedAt,
    };
  }

  let content = '';
  const toolCalls: ToolCallSoFar[] = [];
  let finishReason: string | undefined;
  let model: string | undefined;
  let usage: ChatUsage | undefined;
  let streamCost: number | undefined;
  let firstTokenMs: number | undefined;
  let done = false;
  await readSse(response.body, (event) => {
    if (done) return;
    if (event.data === '[DONE]') {
      done = true;
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(event.data);
    } catch {
      throw new CompletionError(
        `The answer stream sent something that is not JSON: ${event.data.slice(0, 120)}`,
      );
    }
    const error = errorOf(chunk);
    if (error) throw error;
    if (event.event === 'error') throw new CompletionError(event.data.slice(0, 500));
    const top = record(chunk) ?? {};
    if (typeof top.model === 'string') model = top.model;
    if (top.usage !== undefined && top.usage !== null) {
      const read = usageOf(top.usage);
      usage = read.usage;
      if (read.cost !== undefined) streamCost = read.cost;
    }
    let grew = false;
    for (const entry of Array.isArray(top.choices) ? top.choices : []) {
      const choice = record(entry);
      if (!choice) continue;
      if (typeof choice.finish_reason === 'string') finishReason = choice.finish_reason;
      const delta = record(choice.delta) ?? {};
      if (typeof delta.content === 'string' && delta.content !== '') {
        content += delta.content;
        grew = true;
      }
      for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
        const piece = record(call) ?? {};
        const index = count(piece.index) ?? toolCalls.length;
        const fn = record(piece.function) ?? {};
        // OpenAI numbers parallel calls from 0; a wild index is not worth a huge sparse array.
        if (!Number.isInteger(index) || index < 0 || index > 127) continue;
        const slot = toolCalls[index] ?? { name: '', arguments: '' };
        toolCalls[index] = slot;
        if (typeof piece.id === 'string') slot.id = piece.id;
        if (typeof fn.name === 'string') slot.name += fn.name;
        if (typeof fn.arguments === 'string') slot.arguments += fn.arguments;
        grew = true;
      }
    }
    if (grew) {
      firstTokenMs ??= options.now() - options.startedAt;
      options.onProgress?.({ content, toolCalls: toolCalls.filter(Boolean) });
    }
  });
  if (!done && finishReason === undefined)
    throw new CompletionError('The answer stream ended before the model finished');
  return {
    content,
    toolCalls: toolCalls.filter(Boolean),
    ...(finishReason !== undefined && { finishReason }),
    ...(model !== undefined && { model }),
    ...(usage !== undefined && { usage }),
    ...(streamCost !== undefined && { costUsd: streamCost }),
    ...fromHeaders,
    ...(firstTokenMs !== undefined && { firstTokenMs }),
    latencyMs: options.now() - options.startedAt,
  };
}

/** Whether an error means the project has no key for the provider (the fix is Admin ▸ Provider keys). */
export function isMissingProviderKey(error: { message: string; code?: string }): boolean {
  if (error.code !== undefined && /provider[_-]?key/i.test(error.code)) return true;
  return /\b(no|missing)\b.*\bprovider key\b|\bprovider key\b.*\b(missing|not (set|found|configured))\b/i.test(
    error.message,
  );
}
