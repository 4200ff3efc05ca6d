/**
 * The fake Anthropic server speaks the Messages API's wire format: the AI SDK's @ai-sdk/anthropic
 * provider, pointed at it, parses its answers (non-streamed, streamed, tool_use, usage) and sees each
 * scripted fault as it sees the real API's; the raw event sequence is Anthropic's.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { APICallError, generateText, streamText } from 'ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  countTokens,
  ECHO_PREFIX,
  type FakeProvider,
  startFakeAnthropic,
} from '../../support/fake-providers';
import {
  generateAndStream,
  streamedAnswer,
  streamReportingErrors,
} from '../../support/fake-providers/ai-sdk';
import { errorMessages, readStream } from '../../support/fake-providers/read-stream';

const KEY = 'sk-ant-fake-test-key-0123456789';
const SYSTEM = 'You are terse.';
const PROMPT = 'Name three rivers of France';
const EXPECTED = `${ECHO_PREFIX}${PROMPT}`;
const PROMPT_TOKENS = countTokens(SYSTEM) + countTokens(PROMPT);
const MODEL = 'claude-sonnet-4-5';

let fake: FakeProvider;
beforeEach(async () => {
  fake = await startFakeAnthropic({ apiKey: KEY });
});
afterEach(() => fake.close());

const anthropic = (apiKey = KEY) => createAnthropic({ baseURL: fake.url, apiKey });

function messagesRequest(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return fetch(`${fake.url}/messages`, {
    method: 'POST',
    headers: {
      'x-api-key': KEY,
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

describe('with the AI SDK (@ai-sdk/anthropic)', () => {
  it('generateText gets the echo, the stop reason and the usage; the request carries the key and version', async () => {
    const result = await generateText({ model: anthropic()(MODEL), system: SYSTEM, prompt: PROMPT });
    expect(result.text).toBe(EXPECTED);
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({ inputTokens: PROMPT_TOKENS, outputTokens: countTokens(EXPECTED) });
    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/messages' });
    expect(request?.headers['x-api-key']).toBe(KEY);
    expect(request?.headers['anthropic-version']).toBe('2023-06-01');
    expect(request?.body).toMatchObject({ model: MODEL, messages: [{ role: 'user' }] });
  });

  it('streamText streams the echo word by word and reads the usage of message_start and message_delta', async () => {
    expect(await streamedAnswer({ model: anthropic()(MODEL), system: SYSTEM, prompt: PROMPT })).toMatchObject(
      {
        text: EXPECTED,
        pieces: countTokens(EXPECTED),
        finishReason: 'stop',
        usage: { inputTokens: PROMPT_TOKENS, outputTokens: countTokens(EXPECTED) },
      },
    );
  });

  it('scripted tool_use blocks come through generateText and streamText (input_json_delta) parsed', async () => {
    fake.respondWith({
      text: 'Let me look.',
      toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris, France' } }],
    });
    for (const answer of await generateAndStream(anthropic()(MODEL), PROMPT)) {
      expect(answer.text).toBe('Let me look.');
      expect(answer.toolCalls).toEqual([
        expect.objectContaining({
          toolName: 'get_weather',
          toolCallId: expect.stringMatching(/^toolu_fake_\d+_0$/),
          input: { city: 'Paris, France' },
        }),
      ]);
      expect(answer.finishReason).toBe('tool-calls');
    }
  });

  it('max_tokens cuts the reply and the finish reason says length', async () => {
    const result = await generateText({ model: anthropic()(MODEL), prompt: PROMPT, maxOutputTokens: 2 });
    expect(result.text).toBe('echo: Name');
    expect(result.finishReason).toBe('length');
  });

  it('a wrong key is a 401 authentication_error', async () => {
    const error = await generateText({
      model: anthropic('sk-ant-wrong')(MODEL),
      prompt: PROMPT,
      maxRetries: 0,
    }).catch((e: unknown) => e);
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 401, isRetryable: false, message: 'invalid x-api-key' });
    expect(JSON.parse((error as APICallError).responseBody ?? '')).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    });
  });

  it('a scripted 529 is an overloaded_error the SDK retries; N failures then success', async () => {
    fake.failTimes(2, { status: 529, retryAfterMs: 10 });
    const result = await generateText({ model: anthropic()(MODEL), prompt: PROMPT, maxRetries: 2 });
    expect(result.text).toBe(EXPECTED);
    expect(fake.requests.map((request) => request.answer.status)).toEqual([529, 529, 200]);

    fake.queue({ error: { status: 429, retryAfter: 30 } });
    const error = await generateText({ model: anthropic()(MODEL), prompt: PROMPT, maxRetries: 0 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      statusCode: 429,
      isRetryable: true,
      responseHeaders: { 'retry-after': '30' },
    });
    expect(JSON.parse((error as APICallError).responseBody ?? '')).toMatchObject({
      error: { type: 'rate_limit_error' },
      request_id: 'req_fake_4',
    });
  });

  it('delays: the first byte waits, chunks are spaced', async () => {
    fake.queue({ firstByteDelayMs: 120, chunkDelayMs: 30 });
    const started = performance.now();
    const result = streamText({ model: anthropic()(MODEL), prompt: PROMPT });
    const arrivals: number[] = [];
    for await (const _ of result.textStream) arrivals.push(performance.now() - started);
    expect(arrivals[0]).toBeGreaterThanOrEqual(115);
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(
      (arrivals.length - 1) * 30 - 5,
    );
  });

  it('a hang is given up by the client (abort), and recorded as closed by the client', async () => {
    fake.queue({ hang: true });
    const error = await generateText({
      model: anthropic()(MODEL),
      prompt: PROMPT,
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(150),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    await expect.poll(() => fake.requests[0]?.answer.outcome).toBe('client-closed');
  });

  it('an in-stream error event (overloaded_error) ends the stream with that error', async () => {
    fake.queue({ streamError: { afterEvents: 4 } }); // message_start, block start, ping, one word
    const read = await streamReportingErrors(anthropic()(MODEL), PROMPT);
    expect(read.deltas.join('')).toBe('echo: ');
    // ai 7 reports the provider's error event as an error part (or throws it) and to onError.
    expect(errorMessages(read)).toContain('Overloaded');
    expect(read.reported.map((error) => (error as Error).message)).toEqual(['Overloaded']);
  });

  it('a reset mid-stream: the deltas before it arrive, then the stream fails', async () => {
    fake.queue({ resetAfterEvents: 5 }); // message_start, block start, ping, two words
    const read = await readStream(
      streamText({ model: anthropic()(MODEL), prompt: PROMPT, maxRetries: 0 }).fullStream,
    );
    expect(read.deltas.join('')).toBe('echo: Name ');
    expect(read.thrown).toBeInstanceOf(Error);
    expect(fake.requests[0]?.answer).toMatchObject({ outcome: 'reset', events: 5 });
  });
});

describe('the raw wire format', () => {
  it('a streamed answer is the Messages API event sequence, each event named and typed', async () => {
    fake.respondWith({ text: 'Hi there', toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] });
    const answer = await messagesRequest({
      model: MODEL,
      max_tokens: 100,
      stream: true,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
    });
    expect(answer.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await answer.text())
      .trim()
      .split('\n\n')
      .map((frame) => {
        const [eventLine, dataLine] = frame.split('\n');
        const data = JSON.parse(dataLine?.replace(/^data: /, '') ?? '') as { type: string };
        expect(eventLine).toBe(`event: ${data.type}`);
        return data;
      });
    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 3 },
    });
  });

  it('a non-streamed answer is a message with content blocks', async () => {
    fake.respondWith({
      text: '',
      toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: { city: 'Oslo' } }],
    });
    const answer = await messagesRequest({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(await answer.json()).toEqual({
      id: 'msg_fake_1',
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } }],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 1,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 1,
      },
    });
  });

  it('refuses a missing key, a missing anthropic-version, a missing max_tokens, and an unknown path', async () => {
    const body = { model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
    const cases = [
      [await messagesRequest(body, { 'x-api-key': '' }), 401, 'authentication_error'],
      [await messagesRequest(body, { 'anthropic-version': '' }), 400, 'invalid_request_error'],
      [await messagesRequest({ ...body, max_tokens: undefined }), 400, 'invalid_request_error'],
      [
        await fetch(`${fake.url}/complete`, { method: 'POST', headers: { 'x-api-key': KEY } }),
        404,
        'not_found_error',
      ],
    ] as const;
    for (const [answer, status, type] of cases) {
      expect(answer.status).toBe(status);
      expect(await answer.json()).toMatchObject({ type: 'error', error: { type } });
    }
  });
});
