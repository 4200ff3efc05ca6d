/**
 * The LLM proxy end to end on the local platform: a fake OpenAI-compatible server registered as
 * provider `openai-compatible`, called through Waggle with the real `openai` client (only baseURL
 * and the Waggle API key change), streamed and not, gives the same completion as calling the fake
 * directly; the call comes back through the read API as a model event with tokens and cost; and
 * the provider key appears in no answer, error or log line.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../lambdas/local/platform';
import { type FakeProvider, startFakeAnthropic, startFakeOpenAICompatible } from '../support/fake-providers';
import { eventually, readApi } from '../support/read-api-client';
import { startTempPlatform, type TempPlatform } from '../support/temp-platform';

type Platform = LocalPlatform;

const PROVIDER_SECRET = 'sk-fake-provider-e2e-SECRET-9f8e7d6c5b4a';
const ANTHROPIC_SECRET = 'sk-ant-fake-e2e-SECRET-0a1b2c3d4e5f';
const MODEL = 'gpt-4o-mini';
const FAST_WRITER = { maximumBatchingWindowMs: 100, visibilityTimeoutMs: 2_000 };

let local: TempPlatform;
let platform: Platform;
let fake: FakeProvider;
let anthropic: FakeProvider;
const logLines: string[] = [];

const putKey = (provider: string, body: Record<string, unknown>) =>
  readApi(platform.url, platform.apiKey).putProviderKey(provider, body);

/** The fake provider called directly, as the proxied calls are compared with it. */
function toProvider(): OpenAI {
  return new OpenAI({ apiKey: PROVIDER_SECRET, baseURL: fake.url, maxRetries: 0 });
}

function viaWaggle(): OpenAI {
  return new OpenAI({ apiKey: platform.apiKey, baseURL: `${platform.url}/v1`, maxRetries: 0 });
}

beforeAll(async () => {
  fake = await startFakeOpenAICompatible({ apiKey: PROVIDER_SECRET, created: 1_700_000_000 });
  anthropic = await startFakeAnthropic({ apiKey: ANTHROPIC_SECRET });
  local = await startTempPlatform('waggle-llm-proxy-', {
    writer: FAST_WRITER,
    log: (line) => logLines.push(line),
  });
  ({ platform } = local);
  await putKey('openai-compatible', { api_key: PROVIDER_SECRET, base_url: fake.url });
  await putKey('anthropic', { api_key: ANTHROPIC_SECRET, base_url: anthropic.url });
}, 60_000);

afterAll(async () => {
  await local?.close();
  await fake?.close();
  await anthropic?.close();
});

const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'say hello to the proxy' },
];

describe('the LLM proxy on the local platform', () => {
  it('answers a completion as the provider does, and records it as a model event with tokens and cost', async () => {
    const direct = await toProvider().chat.completions.create({
      model: MODEL,
      messages,
    });
    const proxied = await viaWaggle().chat.completions.create({
      model: `openai-compatible/${MODEL}`,
      messages,
      user: 'e2e-nonstream',
    });
    expect(proxied.object).toBe('chat.completion');
    expect(proxied.choices[0]?.message.content).toBe(direct.choices[0]?.message.content);
    expect(proxied.choices[0]?.finish_reason).toBe(direct.choices[0]?.finish_reason);
    expect(proxied.usage).toMatchObject({
      prompt_tokens: direct.usage?.prompt_tokens,
      completion_tokens: direct.usage?.completion_tokens,
      total_tokens: direct.usage?.total_tokens,
    });
    // The provider got the key, as a bearer token, from the proxy.
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${PROVIDER_SECRET}`);

    const api = readApi(platform.url, platform.apiKey);
    const event = await eventually(async () => {
      const body = await api.export({
        filters: [{ field: 'metadata.user', operator: 'is', value: 'e2e-nonstream', type: 'string' }],
      });
      return body.events[0];
    });
    expect(event).toMatchObject({
      event_type: 'model',
      model: MODEL,
      provider: 'openai-compatible',
      source: 'waggle-proxy',
      prompt_tokens: direct.usage?.prompt_tokens,
      completion_tokens: direct.usage?.completion_tokens,
      error: null,
    });
    expect(event.cost).toBeGreaterThan(0);
    expect(event.outputs).toMatchObject({ content: direct.choices[0]?.message.content });
    expect((event.metadata as Record<string, unknown>).time_to_first_token_ms).toBeTypeOf('number');
  }, 60_000);

  it('streams the same chunks text as the provider, with a usage chunk, before the provider has finished', async () => {
    const direct = await toProvider().chat.completions.create({
      model: MODEL,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let directText = '';
    let directUsage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of direct) {
      directText += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) directUsage = chunk.usage;
    }

    // Slow chunks: the first one must reach the client while the provider is still sending.
    fake.respondWith({ chunkDelayMs: 150 });
    const stream = await viaWaggle().chat.completions.create({
      model: `openai-compatible/${MODEL}`,
      messages,
      stream: true,
      stream_options: { include_usage: true },
      user: 'e2e-stream',
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null | undefined;
    let firstChunkWhileProviderBusy: boolean | undefined;
    for await (const chunk of stream) {
      if (firstChunkWhileProviderBusy === undefined) {
        firstChunkWhileProviderBusy = fake.requests.at(-1)?.answer.endedAt === undefined;
      }
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    const proxiedRequest = fake.requests.at(-1);
    fake.reset();
    expect(text).toBe(directText);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({
      prompt_tokens: directUsage?.prompt_tokens,
      completion_tokens: directUsage?.completion_tokens,
    });
    expect(firstChunkWhileProviderBusy).toBe(true);
    // The proxy asked the provider for the usage even though it streamed.
    expect((proxiedRequest?.body as { stream_options?: unknown } | undefined)?.stream_options).toEqual({
      include_usage: true,
    });

    const api = readApi(platform.url, platform.apiKey);
    const event = await eventually(async () => {
      const body = await api.export({
        filters: [{ field: 'metadata.user', operator: 'is', value: 'e2e-stream', type: 'string' }],
      });
      return body.events[0];
    });
    expect(event).toMatchObject({ model: MODEL, prompt_tokens: directUsage?.prompt_tokens, error: null });
    expect(event.cost).toBeGreaterThan(0);
  }, 60_000);

  it('passes tool calls both ways, streamed and not, as the provider gives them', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const toolCalls = [{ id: 'call_w1', name: 'get_weather', arguments: { city: 'Oslo' } }];
    fake.respondWith({ toolCalls });
    const direct = await toProvider().chat.completions.create({
      model: MODEL,
      messages,
      tools,
    });
    const proxied = await viaWaggle().chat.completions.create({
      model: `openai-compatible/${MODEL}`,
      messages,
      tools,
    });
    expect(proxied.choices[0]?.message.tool_calls).toEqual(direct.choices[0]?.message.tool_calls);
    expect(proxied.choices[0]?.finish_reason).toBe(direct.choices[0]?.finish_reason);

    const stream = await viaWaggle().chat.completions.create({
      model: `openai-compatible/${MODEL}`,
      messages,
      tools,
      stream: true,
    });
    // Tool-call deltas put back together by index, as the openai client's helpers do.
    const assembled: { id?: string; type?: string; function: { name: string; arguments: string } }[] = [];
    let streamedFinish: string | null | undefined;
    for await (const chunk of stream) {
      streamedFinish = chunk.choices[0]?.finish_reason ?? streamedFinish;
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        assembled[delta.index] ??= { function: { name: '', arguments: '' } };
        const call = assembled[delta.index] as (typeof assembled)[number];
        if (delta.id) call.id = delta.id;
        if (delta.type) call.type = delta.type;
        call.function.name += delta.function?.name ?? '';
        call.function.arguments += delta.function?.arguments ?? '';
      }
    }
    fake.reset();
    expect(assembled).toEqual(direct.choices[0]?.message.tool_calls);
    expect(streamedFinish).toBe('tool_calls');

    // The tool's result goes back through the proxy as a tool message answering that call.
    const followUp = await viaWaggle().chat.completions.create({
      model: `openai-compatible/${MODEL}`,
      messages: [
        ...messages,
        { role: 'assistant', content: null, tool_calls: direct.choices[0]?.message.tool_calls },
        { role: 'tool', tool_call_id: 'call_w1', content: '12 degrees' },
      ],
      tools,
    });
    expect(followUp.choices[0]?.finish_reason).toBe('stop');
    const sent = fake.requests.at(-1)?.body as { messages: { role: string; tool_call_id?: string }[] };
    expect(sent.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_w1' });
  }, 60_000);

  it('calls Anthropic through its adapter and answers in the OpenAI shape, streamed and not', async () => {
    const client = viaWaggle();
    const answer = await client.chat.completions.create({
      model: 'anthropic/claude-3-5-haiku-20241022',
      messages,
    });
    expect(answer.choices[0]?.message.content).toBe('echo: say hello to the proxy');
    expect(answer.usage?.completion_tokens).toBeGreaterThan(0);
    const stream = await client.chat.completions.create({
      model: 'anthropic/claude-3-5-haiku-20241022',
      messages,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('echo: say hello to the proxy');
  }, 60_000);

  it('answers errors in the OpenAI shape and never shows or logs the provider key', async () => {
    const client = viaWaggle();
    const unknown = await client.chat.completions
      .create({ model: 'no-such-configuration', messages })
      .catch((e) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown.error).toMatchObject({ type: 'not_found_error', code: 'model_not_found' });

    const missing = await client.chat.completions
      .create({ model: 'openai/gpt-4o', messages })
      .catch((e) => e);
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
    expect(missing.message).toContain('openai');

    // The provider rejects the request with a message echoing the key: the proxy must not pass it on.
    fake.respondWith({ error: { status: 401, message: `Incorrect API key provided: ${PROVIDER_SECRET}` } });
    const refused = await client.chat.completions
      .create({ model: `openai-compatible/${MODEL}`, messages, user: 'e2e-refused' })
      .catch((e) => e);
    fake.respondWith({ error: { status: 503, message: `upstream down for ${PROVIDER_SECRET}` } });
    const down = await client.chat.completions
      .create({ model: `openai-compatible/${MODEL}`, messages, stream: true })
      .catch((e) => e);
    fake.reset();
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect(refused.status).toBe(502);
    expect(down.status).toBe(502);
    expect(down.error).toMatchObject({ code: 'provider_unavailable' });
    for (const error of [unknown, missing, refused, down])
      expect(JSON.stringify(error.error)).not.toContain(PROVIDER_SECRET);

    // The failed call is a model event with its error, and the key is not in it.
    const api = readApi(platform.url, platform.apiKey);
    const event = await eventually(async () => {
      const body = await api.export({
        filters: [{ field: 'metadata.user', operator: 'is', value: 'e2e-refused', type: 'string' }],
      });
      return body.events[0];
    });
    expect(event.error).toContain('refused the stored provider key');
    expect(JSON.stringify(event)).not.toContain(PROVIDER_SECRET);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(PROVIDER_SECRET);
    expect(logLines.join('\n')).not.toContain(ANTHROPIC_SECRET);
  }, 60_000);
});
