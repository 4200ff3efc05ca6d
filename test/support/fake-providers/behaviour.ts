/**
 * What a fake provider does with the next request: answer (the echo rule of reply-rule.ts, or a
 * scripted text and tool calls), fail with the provider's error body, wait, hang or reset the
 * connection. Behaviours queued with `queue` are used once each, in order; after them every request
 * gets the `respondWith` behaviour (by default: answer at once).
 */

export interface ScriptedToolCall {
  /** Default: `call_fake_<request>_<index>` (OpenAI) or `toolu_fake_<request>_<index>` (Anthropic). */
  id?: string;
  name: string;
  /** An object (serialized with JSON.stringify) or the exact arguments text to send. */
  arguments: Record<string, unknown> | string;
}

export interface ScriptedError {
  status: number;
  /** Default: the provider's usual message, type and code for the status. */
  message?: string;
  type?: string;
  /** OpenAI's `error.code` (Anthropic's body has none). */
  code?: string | null;
  /** `Retry-After` header, in seconds. */
  retryAfter?: number;
  /** `retry-after-ms` header (OpenAI's; the openai client and the AI SDK both read it). */
  retryAfterMs?: number;
}

export interface Behaviour {
  /** Answer with this status and the provider's error body instead of a completion. */
  error?: ScriptedError;
  /** Wait this long before the first byte (status line and headers included). */
  firstByteDelayMs?: number;
  /** Streamed answers: wait this long between one SSE event and the next. */
  chunkDelayMs?: number;
  /** Never answer: the connection stays open until the client gives up or the fake closes. */
  hang?: boolean;
  /**
   * Reset the connection (TCP RST) after this many SSE events of a streamed answer; 0 resets it
   * before any byte. A non-streamed answer is reset before any byte whatever the number.
   */
  resetAfterEvents?: number;
  /**
   * Streamed answers: after this many SSE events, send the provider's in-stream error event
   * instead of the rest and end the stream (OpenAI: `data: {"error": ...}`; Anthropic:
   * `event: error`, by default an overloaded_error). `status` only picks the default type and message.
   */
  streamError?: {
    afterEvents: number;
    status?: number;
    message?: string;
    type?: string;
    code?: string | null;
  };
  /** Reply text instead of the echo; '' for none (with tool calls). */
  text?: string;
  toolCalls?: ScriptedToolCall[];
}

export type BehaviourSource<Request> = Behaviour | ((request: Request) => Behaviour);

export class BehaviourScript<Request> {
  private readonly queued: Behaviour[] = [];
  private fallback: BehaviourSource<Request> = {};

  respondWith(behaviour: BehaviourSource<Request>): void {
    this.fallback = behaviour;
  }

  queue(...behaviours: Behaviour[]): void {
    this.queued.push(...behaviours);
  }

  /** N failures, then the `respondWith` behaviour again (default: a 500 server error). */
  failTimes(times: number, error: ScriptedError = { status: 500 }): void {
    for (let i = 0; i < times; i++) this.queued.push({ error });
  }

  clear(): void {
    this.queued.length = 0;
    this.fallback = {};
  }

  next(request: Request): Behaviour {
    const queued = this.queued.shift();
    if (queued) return queued;
    return typeof this.fallback === 'function' ? this.fallback(request) : this.fallback;
  }
}

/** The Retry-After headers of a scripted error. */
export function retryHeaders(error: ScriptedError): Record<string, string> {
  return {
    ...(error.retryAfter !== undefined ? { 'retry-after': String(error.retryAfter) } : {}),
    ...(error.retryAfterMs !== undefined ? { 'retry-after-ms': String(error.retryAfterMs) } : {}),
  };
}
