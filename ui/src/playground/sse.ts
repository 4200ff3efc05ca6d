/**
 * Server-sent events as the LLM proxy streams them (OpenAI's chat-completion stream: `data: <json>`
 * lines, a blank line between events, `data: [DONE]` at the end). Bytes arrive in arbitrary pieces,
 * so the parser keeps the unfinished line between pieces. Follows the HTML standard's event-stream
 * rules that matter here: LF, CR and CRLF line ends, several `data:` lines joined by LF, one space
 * after the colon dropped, comment lines (`:`) ignored.
 */

export interface SseEvent {
  /** The `event:` field; `message` when absent. */
  event: string;
  data: string;
}

export interface SseParser {
  /** Feeds a piece of text; answers the events it completed. */
  push(text: string): SseEvent[];
  /**
   * The stream ended. Unlike the standard (which drops it), an event still open (no blank line
   * after it) is dispatched: a proxy that ends on `data: [DONE]` without one has still finished.
   */
  end(): SseEvent[];
}

export function createSseParser(): SseParser {
  let buffer = '';
  let data: string[] = [];
  let eventName = '';
  // A CR at the end of a piece may be the first half of a CRLF split across pieces.
  let pendingCr = false;

  function dispatch(out: SseEvent[]): void {
    if (data.length > 0) out.push({ event: eventName === '' ? 'message' : eventName, data: data.join('\n') });
    data = [];
    eventName = '';
  }

  function line(text: string, out: SseEvent[]): void {
    if (text === '') {
      dispatch(out);
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') eventName = value;
    // id and retry do not matter to a one-shot completion stream.
  }

  return {
    push(text) {
      const out: SseEvent[] = [];
      let input = text;
      if (pendingCr && input.startsWith('\n')) input = input.slice(1);
      pendingCr = false;
      buffer += input;
      let start = 0;
      for (let index = 0; index < buffer.length; index++) {
        const char = buffer[index];
        if (char !== '\n' && char !== '\r') continue;
        line(buffer.slice(start, index), out);
        if (char === '\r') {
          if (index + 1 === buffer.length) pendingCr = true;
          else if (buffer[index + 1] === '\n') index++;
        }
        start = index + 1;
      }
      buffer = buffer.slice(start);
      return out;
    },
    end() {
      const out: SseEvent[] = [];
      if (buffer !== '') line(buffer, out);
      buffer = '';
      dispatch(out);
      return out;
    },
  };
}

/** Reads a byte stream as SSE, calling `onEvent` for each event in order. */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => void,
): Promise<void> {
  const parser = createSseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // stream: true keeps a multi-byte character split across pieces whole.
      for (const event of parser.push(decoder.decode(value, { stream: true }))) onEvent(event);
    }
    for (const event of parser.push(decoder.decode())) onEvent(event);
    for (const event of parser.end()) onEvent(event);
  } catch (error) {
    // A handler that refuses an event (or an abort) stops the download too.
    await reader.cancel().catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
}
