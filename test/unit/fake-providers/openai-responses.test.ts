/**
 * The OpenAI fake's Responses API (`POST /v1/responses`) speaks OpenAI's wire format: the real
 * `openai` client and @ai-sdk/openai's default models (which call the Responses API) parse its
 * answers, streamed and not, with tool calls, usage, the max-tokens cut and errors.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countTokens, ECHO_PREFIX, type FakeProvider, startFakeOpenAI } from '../../support/fake-providers';
import { generateAndStream, streamReportingErrors } from '../../support/fake-providers/ai-sdk';

const KEY = 'sk-fake-responses-key-0123456789';
const INSTRUCTIONS = 'You are terse.';
const PROMPT = 'Which planet is largest?';
const EXPECTED = `${ECHO_PREFIX}${PROMPT}`;
const PROMPT_TOKENS = countTokens(INSTRUCTIONS) + countTokens(PROMPT);

let fake: FakeProvider;
let client: OpenAI;
beforeEach(async () => {
  fake = await startFakeOpenAI({ apiKey: KEY, created: 1_780_000_000 });
  client = new OpenAI({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 });
});
afterEach(() => fake.close());

describe('with the openai client', () => {
  it('answers a response with output_text and usage', async () => {
    const response = await client.responses.create({
      model: 'gpt-fake',
      instructions: INSTRUCTIONS,
      input: PROMPT,
    });
    expect(response.output_text).toBe(EXPECTED);
    expect(response).toMatchObject({
      id: 'resp_fake_1',
      object: 'response',
      status: 'completed',
      model: 'gpt-fake',
      usage: { input_tokens: PROMPT_TOKENS, output_tokens: countTokens(EXPECTED) },
    });
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/responses' });
  });

  it('streams events the client assembles into the same response, sequence numbers in order', async () => {
    const stream = client.responses.stream({ model: 'gpt-fake', instructions: INSTRUCTIONS, input: PROMPT });
    const types: string[] = [];
    const sequence: number[] = [];
    stream.on('event', (event) => {
      types.push(event.type);
      sequence.push(event.sequence_number);
    });
    const response = await stream.finalResponse();
    expect(response.output_text).toBe(EXPECTED);
    expect(response.usage?.output_tokens).toBe(countTokens(EXPECTED));
    expect(types.filter((type) => type === 'response.output_text.delta')).toHaveLength(countTokens(EXPECTED));
    expect(types.at(0)).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(sequence).toEqual(sequence.map((_, index) => index));
  });

  it('answers scripted function calls, streamed and not', async () => {
    fake.respondWith({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Bergen, Norway' } }] });
    const tools = [
      {
        type: 'function' as const,
        name: 'get_weather',
        strict: true,
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ];
    const whole = await client.responses.create({ model: 'gpt-fake', input: PROMPT, tools });
    const streamed = await client.responses
      .stream({ model: 'gpt-fake', input: PROMPT, tools })
      .finalResponse();
    for (const response of [whole, streamed]) {
      const calls = response.output.filter((item) => item.type === 'function_call');
      expect(calls).toEqual([
        expect.objectContaining({ name: 'get_weather', call_id: expect.stringMatching(/^call_fake_\d+_0$/) }),
      ]);
      expect(JSON.parse(calls[0]?.type === 'function_call' ? calls[0].arguments : '')).toEqual({
        city: 'Bergen, Norway',
      });
    }
  });

  it('cuts at max_output_tokens with status incomplete', async () => {
    const response = await client.responses.create({
      model: 'gpt-fake',
      input: PROMPT,
      max_output_tokens: 2,
    });
    expect(response.output_text).toBe('echo: Which');
    expect(response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
  });
});

describe('with the AI SDK (@ai-sdk/openai, the Responses API)', () => {
  const openai = () => createOpenAI({ baseURL: fake.url, apiKey: KEY });

  it('generateText and streamText get the echo and the usage', async () => {
    const generated = await generateText({ model: openai()('gpt-4o'), system: INSTRUCTIONS, prompt: PROMPT });
    const streamed = streamText({ model: openai()('gpt-4o'), system: INSTRUCTIONS, prompt: PROMPT });
    const deltas: string[] = [];
    for await (const delta of streamed.textStream) deltas.push(delta);
    expect(generated.text).toBe(EXPECTED);
    expect(deltas.join('')).toBe(EXPECTED);
    expect(deltas).toHaveLength(countTokens(EXPECTED));
    for (const usage of [generated.usage, await streamed.usage])
      expect(usage).toMatchObject({ inputTokens: PROMPT_TOKENS, outputTokens: countTokens(EXPECTED) });
    expect(fake.requests.map((request) => request.path)).toEqual(['/v1/responses', '/v1/responses']);
  });

  it('tool calls come through both, with their parsed input', async () => {
    fake.respondWith({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Bergen' } }] });
    for (const answer of await generateAndStream(openai()('gpt-4o'), PROMPT)) {
      expect(answer.toolCalls).toEqual([
        expect.objectContaining({ toolName: 'get_weather', input: { city: 'Bergen' } }),
      ]);
      expect(answer.finishReason).toBe('tool-calls');
    }
  });

  it('errors: a scripted 429 then success with retries; an in-stream error event', async () => {
    fake.failTimes(1, { status: 429, retryAfterMs: 5 });
    const retried = await generateText({ model: openai()('gpt-4o'), prompt: PROMPT, maxRetries: 1 });
    expect(retried.text).toBe(EXPECTED);

    fake.queue({ error: { status: 401 } });
    const refused = await generateText({ model: openai()('gpt-4o'), prompt: PROMPT, maxRetries: 0 }).catch(
      (e: unknown) => e,
    );
    expect(APICallError.isInstance(refused)).toBe(true);
    expect(refused).toMatchObject({ statusCode: 401, isRetryable: false });

    fake.queue({ streamError: { afterEvents: 5, message: 'The model crashed' } });
    const read = await streamReportingErrors(openai()('gpt-4o'), PROMPT);
    expect(read.deltas.join('')).toBe('echo: ');
    expect(JSON.stringify(read.reported)).toContain('The model crashed');
  });
});
