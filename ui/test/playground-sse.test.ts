import { describe, expect, it } from 'vitest';
import { CompletionError, isMissingProviderKey, readCompletion } from '../src/playground/completion';
import { createSseParser, readSse, type SseEvent } from '../src/playground/sse';

/** Feeds the pieces in order and collects every event, the end included. */
function parse(pieces: string[]): SseEvent[] {
  const parser = createSseParser();
  return [...pieces.flatMap((piece) => parser.push(piece)), ...parser.end()];
}

const data = (...values: string[]) => values.map((value) => ({ event: 'message', data: value }));

/** A byte stream yielding the pieces (strings are UTF-8 encoded; arrays are raw bytes). */
export function streamOf(pieces: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces)
        controller.enqueue(typeof piece === 'string' ? encoder.encode(piece) : piece);
      controller.close();
    },
  });
}

describe('SSE parser', () => {
  it('reads one event per blank-line-separated block', () => {
    expect(parse(['data: a\n\ndata: b\n\n'])).toEqual(data('a', 'b'));
  });

  it('keeps a line split across pieces, anywhere in it', () => {
    const text = 'data: {"x":1}\n\ndata: [DONE]\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      expect(parse([text.slice(0, cut), text.slice(cut)])).toEqual(data('{"x":1}', '[DONE]'));
    }
    expect(parse(text.split(''))).toEqual(data('{"x":1}', '[DONE]'));
  });

  it('reads CRLF and CR line ends, a CRLF split between pieces included', () => {
    expect(parse(['data: a\r\n\r\ndata: b\r\n\r\n'])).toEqual(data('a', 'b'));
    expect(parse(['data: a\r', '\n\r', '\ndata: b\r\n', '\r\n'])).toEqual(data('a', 'b'));
    expect(parse(['data: a\r\rdata: b\r\r'])).toEqual(data('a', 'b'));
    // The LF after a CR that ended a piece is that line's end, not a blank line ending the event.
    expect(parse(['data: a\r', '\ndata: b\r\n\r\n'])).toEqual(data('a\nb'));
  });

  it('joins several data lines, drops one leading space only, ignores comments and other fields', () => {
    expect(parse([': keep-alive\n\nid: 7\nretry: 10\ndata:  two\ndata:x\n\n'])).toEqual(data(' two\nx'));
  });

  it('names events with the event field, and dispatches nothing for a block without data', () => {
    expect(parse(['event: error\ndata: {"e":1}\n\nevent: ping\n\n'])).toEqual([
      { event: 'error', data: '{"e":1}' },
    ]);
  });

  it('dispatches a last event that has no blank line after it', () => {
    expect(parse(['data: a\n\ndata: [DONE]'])).toEqual(data('a', '[DONE]'));
    expect(parse(['data: a\n\ndata: [DONE]\n'])).toEqual(data('a', '[DONE]'));
  });

  it('decodes a multi-byte character split between byte pieces', async () => {
    const bytes = new TextEncoder().encode('data: héllo 🐝\n\n');
    const events: SseEvent[] = [];
    await readSse(streamOf([bytes.slice(0, 8), bytes.slice(8, 16), bytes.slice(16)]), (event) =>
      events.push(event),
    );
    expect(events).toEqual(data('héllo 🐝'));
  });
});

function chunk(delta: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return `data: ${JSON.stringify({ object: 'chat.completion.chunk', model: 'gpt-x', choices: [{ index: 0, delta }], ...extra })}\n\n`;
}

function sse(pieces: (string | Uint8Array)[], headers: Record<string, string> = {}) {
  return new Response(streamOf(pieces), {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', ...headers },
  });
}

/** A clock that moves 10 ms each time it is read. */
function ticking() {
  let t = 0;
  return () => (t += 10);
}

describe('reading a completion', () => {
  it('accumulates a streamed answer, its usage, the headers and the timings', async () => {
    const progress: string[] = [];
    const result = await readCompletion(
      sse(
        [
          chunk({ role: 'assistant', content: '' }),
          chunk({ content: 'Hel' }) + chunk({ content: 'lo' }),
          `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
          `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 } })}\n\n`,
          'data: [DONE]\n\n',
        ],
        { 'x-waggle-event-id': 'ev-1', 'x-waggle-cost-usd': '0.00042' },
      ),
      { startedAt: 0, now: ticking(), onProgress: (partial) => progress.push(partial.content) },
    );
    expect(progress).toEqual(['Hel', 'Hello']);
    expect(result).toMatchObject({
      content: 'Hello',
      finishReason: 'stop',
      model: 'gpt-x',
      usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 },
      eventId: 'ev-1',
      costUsd: 0.00042,
      firstTokenMs: 10,
    });
    expect(result.latencyMs).toBeGreaterThan(result.firstTokenMs ?? 0);
  });

  it('assembles streamed tool calls by index', async () => {
    const call = (index: number, fn: Record<string, string>, id?: string) =>
      chunk({ tool_calls: [{ index, ...(id && { id }), function: fn }] });
    const result = await readCompletion(
      sse([
        call(0, { name: 'get_weather', arguments: '' }, 'call_1'),
        call(0, { arguments: '{"city":' }),
        call(0, { arguments: '"Paris"}' }),
        `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] })}\n\n`,
        'data: [DONE]\n\n',
      ]),
      { startedAt: 0, now: ticking() },
    );
    expect(result.toolCalls).toEqual([{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }]);
    expect(result.finishReason).toBe('tool_calls');
  });

  it('turns an error event into a CompletionError with its code, keeping nothing after it', async () => {
    const failing = readCompletion(
      sse([
        chunk({ content: 'Hi' }),
        `data: ${JSON.stringify({ error: { message: 'Rate limited upstream', type: 'rate_limit_error', code: 'rate_limited' } })}\n\n`,
        chunk({ content: 'never' }),
      ]),
      { startedAt: 0, now: ticking() },
    );
    await expect(failing).rejects.toThrow(CompletionError);
    await expect(failing).rejects.toMatchObject({ message: 'Rate limited upstream', code: 'rate_limited' });
  });

  it('refuses a stream that ends before the model finished, and one that sends something not JSON', async () => {
    await expect(
      readCompletion(sse([chunk({ content: 'Hal' })]), { startedAt: 0, now: ticking() }),
    ).rejects.toThrow('ended before the model finished');
    await expect(readCompletion(sse(['data: {oops\n\n']), { startedAt: 0, now: ticking() })).rejects.toThrow(
      'not JSON',
    );
  });

  it('ignores anything after [DONE]', async () => {
    const result = await readCompletion(
      sse([chunk({ content: 'A' }), 'data: [DONE]\n\n', chunk({ content: 'B' })]),
      {
        startedAt: 0,
        now: ticking(),
      },
    );
    expect(result.content).toBe('A');
  });

  it('reads a non-streamed chat.completion, and an error body in it', async () => {
    const body = {
      object: 'chat.completion',
      model: 'claude-x',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Whole' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
    };
    const result = await readCompletion(
      new Response(JSON.stringify(body), {
        headers: {
          'content-type': 'application/json',
          'x-waggle-event-id': 'ev-2',
          'x-waggle-cost-usd': '0.5',
        },
      }),
      { startedAt: 0, now: ticking() },
    );
    expect(result).toMatchObject({
      content: 'Whole',
      eventId: 'ev-2',
      costUsd: 0.5,
      usage: { prompt_tokens: 3 },
    });
    expect(result.firstTokenMs).toBeUndefined();
    await expect(
      readCompletion(new Response(JSON.stringify({ error: { message: 'bad model' } }), { headers: {} }), {
        startedAt: 0,
        now: ticking(),
      }),
    ).rejects.toThrow('bad model');
  });
});

describe('missing provider key', () => {
  it('is recognised by its code or its words, and nothing else is', () => {
    expect(isMissingProviderKey({ message: 'x', code: 'provider_key_missing' })).toBe(true);
    expect(isMissingProviderKey({ message: 'No provider key for openai in this project' })).toBe(true);
    expect(isMissingProviderKey({ message: 'The openai provider key is not set' })).toBe(true);
    expect(isMissingProviderKey({ message: 'Rate limited', code: 'rate_limited' })).toBe(false);
    expect(isMissingProviderKey({ message: 'The provider key was refused by openai (401)' })).toBe(false);
  });
});
