/**
 * The fake OpenAI-compatible server speaks OpenAI's wire format: the real `openai` client and the
 * AI SDK's @ai-sdk/openai-compatible provider, pointed at it, parse its answers (non-streamed,
 * streamed, tool calls, usage) and see each scripted fault as they see the real API's.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  countTokens,
  ECHO_PREFIX,
  type FakeProvider,
  startFakeOpenAICompatible,
} from '../../support/fake-providers';
import {
  generateAndStream,
  streamedAnswer,
  streamReportingErrors,
} from '../../support/fake-providers/ai-sdk';
import { errorMessages, readStream } from '../../support/fake-providers/read-stream';

const KEY = 'sk-fake-test-key-0123456789';
const PROMPT = 'What is the capital of France?';
const EXPECTED = `${ECHO_PREFIX}${PROMPT}`;
const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

let fake: FakeProvider;
let client: OpenAI;

beforeEach(async () => {
  fake = await startFakeOpenAICompatible({ apiKey: KEY, created: 1_780_000_000 });
  client = new OpenAI({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 });
});
afterEach(() => fake.close());

const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: PROMPT },
];
const promptTokens = countTokens('You are terse.') + countTokens(PROMPT);

describe('with the openai client', () => {
  it('answers a chat completion with the echo and word-count usage, and records the request', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-fake', messages });

    expect(completion).toMatchObject({
      id: 'chatcmpl-fake-1',
      object: 'chat.completion',
      created: 1_780_000_000,
      model: 'gpt-fake',
      choices: [{ index: 0, message: { role: 'assistant', content: EXPECTED }, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: countTokens(EXPECTED),
        total_tokens: promptTokens + countTokens(EXPECTED),
      },
    });
    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.body).toMatchObject({ model: 'gpt-fake', messages });
    expect(request?.answer).toMatchObject({ status: 200, outcome: 'answered' });
  });

  it('streams chunks word by word, with a usage chunk when include_usage is set, ending in [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-fake',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    const contents = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? ''));
    expect(contents.join('')).toBe(EXPECTED);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content).length).toBe(countTokens(EXPECTED));
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({
      object: 'chat.completion.chunk',
      choices: [],
      usage: { prompt_tokens: promptTokens, completion_tokens: countTokens(EXPECTED) },
    });
    expect(fake.requests[0]?.rawBody).toContain('"stream":true');
  });

  it('sends no usage chunk without include_usage', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-fake', messages, stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.usage === undefined && chunk.choices.length === 1)).toBe(true);
  });

  it('answers scripted tool calls, whole and streamed in fragments the client reassembles', async () => {
    const toolCalls = [
      { name: 'get_weather', arguments: { city: 'Paris' } },
      { name: 'get_weather', arguments: { city: 'Lyon, with a long name to split' } },
    ];
    fake.respondWith({ toolCalls });
    const request = { model: 'gpt-fake', messages, tools: [WEATHER_TOOL] };

    const whole = await client.chat.completions.create(request);
    // The client's own stream accumulator checks the chunk sequence (indexes, ids, fragments).
    const streamed = await client.chat.completions
      .stream({ ...request, stream_options: { include_usage: true } })
      .finalChatCompletion();

    for (const completion of [whole, streamed]) {
      const [choice] = completion.choices;
      expect(choice?.finish_reason).toBe('tool_calls');
      expect(choice?.message.content ?? null).toBeNull();
      const calls = (choice?.message.tool_calls ?? []).map((call) =>
        call.type === 'function'
          ? { name: call.function.name, arguments: JSON.parse(call.function.arguments) }
          : call,
      );
      expect(calls).toEqual(toolCalls);
      expect(choice?.message.tool_calls?.map((call) => call.id)).toEqual([
        expect.stringMatching(/^call_fake_\d+_0$/),
        expect.stringMatching(/^call_fake_\d+_1$/),
      ]);
    }
    // The arguments JSON's words: '{"city":"Paris"}' is one, the second call's has seven.
    const argumentWords = toolCalls.reduce(
      (sum, call) => sum + countTokens(JSON.stringify(call.arguments)),
      0,
    );
    expect(argumentWords).toBe(8);
    expect(whole.usage?.completion_tokens).toBe(argumentWords);
    expect(streamed.usage?.completion_tokens).toBe(argumentWords);
  });

  it("cuts the reply at max_tokens words and says so with finish_reason 'length'", async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-fake', messages, max_tokens: 3 });
    expect(completion.choices[0]?.message.content).toBe('echo: What is');
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(3);
  });

  it('refuses a wrong or missing key with 401 and OpenAI’s error body', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-wrong-key-000000', baseURL: fake.url, maxRetries: 0 });
    const error = await wrong.chat.completions
      .create({ model: 'gpt-fake', messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });

    const bare = await fetch(`${fake.url}/chat/completions`, { method: 'POST', body: '{}' });
    expect(bare.status).toBe(401);
    expect(await bare.json()).toMatchObject({ error: { type: 'invalid_request_error', code: null } });
  });

  it('answers a scripted status with its error body and Retry-After', async () => {
    fake.queue({ error: { status: 429, retryAfter: 7 } });
    const error = await client.chat.completions
      .create({ model: 'gpt-fake', messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'requests' });
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('7');
    // One-shot: the next request is answered.
    await expect(client.chat.completions.create({ model: 'gpt-fake', messages })).resolves.toBeDefined();
  });

  it('fails N times then succeeds: the client retries through the failures', async () => {
    fake.failTimes(2, { status: 503, retryAfterMs: 5 });
    const retrying = new OpenAI({ apiKey: KEY, baseURL: fake.url, maxRetries: 2 });
    const completion = await retrying.chat.completions.create({ model: 'gpt-fake', messages });
    expect(completion.choices[0]?.message.content).toBe(EXPECTED);
    expect(fake.requests.map((request) => request.answer.status)).toEqual([503, 503, 200]);
  });

  it('waits before the first byte', async () => {
    fake.queue({ firstByteDelayMs: 150 });
    const started = performance.now();
    await client.chat.completions.create({ model: 'gpt-fake', messages });
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('pauses between chunks: the first content arrives long before the last', async () => {
    fake.respondWith({ chunkDelayMs: 40 });
    const started = performance.now();
    const stream = await client.chat.completions.create({ model: 'gpt-fake', messages, stream: true });
    const arrivals: number[] = [];
    for await (const chunk of stream)
      if (chunk.choices[0]?.delta.content) arrivals.push(performance.now() - started);
    const words = countTokens(EXPECTED);
    expect(arrivals).toHaveLength(words);
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual((words - 1) * 40 - 5);
    const { events = 0, firstEventAt = 0, lastEventAt = 0 } = fake.requests[0]?.answer ?? {};
    expect(lastEventAt - firstEventAt).toBeGreaterThanOrEqual((events - 1) * 40 - 5);
  });

  it('hangs until the client gives up, and records that the client closed', async () => {
    fake.queue({ hang: true });
    const impatient = new OpenAI({ apiKey: KEY, baseURL: fake.url, maxRetries: 0, timeout: 200 });
    const error = await impatient.chat.completions
      .create({ model: 'gpt-fake', messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await expect.poll(() => fake.requests[0]?.answer.outcome).toBe('client-closed');
  });

  it('resets the connection mid-stream after N events', async () => {
    fake.queue({ resetAfterEvents: 3 });
    const stream = await client.chat.completions.create({ model: 'gpt-fake', messages, stream: true });
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(received.join('')).not.toBe(EXPECTED);
    expect(received.length).toBeLessThanOrEqual(3);
    expect(fake.requests[0]?.answer).toMatchObject({ outcome: 'reset', events: 3 });
  });

  it('sends an in-stream error event after N events', async () => {
    fake.queue({ streamError: { afterEvents: 2, message: 'The model crashed' } });
    const stream = await client.chat.completions.create({ model: 'gpt-fake', messages, stream: true });
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(received).toEqual(['', 'echo: ']);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ message: 'The model crashed', type: 'server_error' });
    expect(fake.requests[0]?.answer).toMatchObject({ outcome: 'answered', events: 3 });
  });

  it('resets a non-streamed answer before any byte', async () => {
    fake.queue({ resetAfterEvents: 0 });
    const error = await client.chat.completions
      .create({ model: 'gpt-fake', messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('refuses a malformed body with 400 and answers an unknown path with 404', async () => {
    const noModel = await fetch(`${fake.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ messages }),
    });
    expect(noModel.status).toBe(400);
    expect(await noModel.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const unknown = await fetch(`${fake.url}/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(unknown.status).toBe(404);
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['fake-model']);
  });
});

describe('with the AI SDK (@ai-sdk/openai-compatible)', () => {
  const provider = () =>
    createOpenAICompatible({ name: 'fake', baseURL: fake.url, apiKey: KEY, includeUsage: true });

  it('generateText gets the echo, the finish reason and the usage', async () => {
    const result = await generateText({
      model: provider()('gpt-fake'),
      system: 'You are terse.',
      prompt: PROMPT,
    });
    expect(result.text).toBe(EXPECTED);
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({
      inputTokens: promptTokens,
      outputTokens: countTokens(EXPECTED),
      totalTokens: promptTokens + countTokens(EXPECTED),
    });
  });

  it('streamText streams the echo and reads the usage chunk', async () => {
    expect(
      await streamedAnswer({ model: provider()('gpt-fake'), system: 'You are terse.', prompt: PROMPT }),
    ).toMatchObject({
      text: EXPECTED,
      pieces: countTokens(EXPECTED),
      finishReason: 'stop',
      usage: { inputTokens: promptTokens, outputTokens: countTokens(EXPECTED) },
    });
    expect(fake.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('tool calls come through generateText and streamText with their parsed input', async () => {
    fake.respondWith({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris, France' } }] });
    for (const answer of await generateAndStream(provider()('gpt-fake'), PROMPT)) {
      expect(answer.toolCalls).toEqual([
        expect.objectContaining({ toolName: 'get_weather', input: { city: 'Paris, France' } }),
      ]);
      expect(answer.finishReason).toBe('tool-calls');
    }
  });

  it('a scripted status is an APICallError with the status, body and retryability', async () => {
    fake.respondWith({ error: { status: 400, message: 'bad things' } });
    const error = await generateText({ model: provider()('gpt-fake'), prompt: PROMPT, maxRetries: 0 }).catch(
      (e: unknown) => e,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 400, isRetryable: false, message: 'bad things' });
  });

  it('fails N times then succeeds: the SDK retries, honouring retry-after-ms', async () => {
    fake.failTimes(2, { status: 429, retryAfterMs: 10 });
    const started = performance.now();
    const result = await generateText({ model: provider()('gpt-fake'), prompt: PROMPT, maxRetries: 2 });
    expect(result.text).toBe(EXPECTED);
    expect(fake.requests.map((request) => request.answer.status)).toEqual([429, 429, 200]);
    // Without the header the SDK would wait 2 s, then 4 s.
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('an in-stream error event ends the stream with that error', async () => {
    fake.queue({ streamError: { afterEvents: 3, message: 'The model crashed' } });
    const read = await streamReportingErrors(provider()('gpt-fake'), PROMPT);
    expect(read.deltas.join('')).toBe('echo: What ');
    // ai 7 reports the provider's error event as an error part (or throws it) and to onError.
    expect(errorMessages(read)).toContain('The model crashed');
    expect(read.reported.map((error) => (error as Error).message)).toEqual(['The model crashed']);
  });

  it('a reset mid-stream: the deltas sent before it arrive, then the stream fails with ECONNRESET', async () => {
    fake.queue({ resetAfterEvents: 4 }); // the role chunk and three words
    const read = await readStream(
      streamText({ model: provider()('gpt-fake'), prompt: PROMPT, maxRetries: 0 }).fullStream,
    );
    expect(read.deltas.join('')).toBe('echo: What is ');
    expect(APICallError.isInstance(read.thrown)).toBe(true);
    expect(causes(read.thrown)).toContain('ECONNRESET');
    expect(fake.requests[0]?.answer.outcome).toBe('reset');
  });
});

/** The codes and messages along an error's cause chain. */
function causes(error: unknown): string[] {
  const found: string[] = [];
  for (let at = error; at instanceof Error; at = at.cause)
    found.push(at.message, String((at as { code?: unknown }).code));
  return found;
}
