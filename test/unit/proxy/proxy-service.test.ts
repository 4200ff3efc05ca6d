/**
 * The call path with in-memory providers: retries with backoff and Retry-After, fallbacks only on
 * transient failures, the model event of every call (failed and fallen back ones too), guards and
 * the response cache through small fakes, and the provider key never in an error.
 */
import { APICallError } from 'ai';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyProviderFailure, retryAfterOf } from '../../../lambdas/adapters/providers/provider-failures';
import { RateLimitedError } from '../../../lambdas/domain/errors';
import type { EventRecord, WaggleEvent } from '../../../lambdas/domain/events/event';
import { SecretValue } from '../../../lambdas/domain/providers/secret-value';
import type { ProxyGuards, ResponseCache } from '../../../lambdas/domain/proxy/guards';
import type { ModelFactory } from '../../../lambdas/domain/proxy/provider-models';
import { createProxyService } from '../../../lambdas/domain/proxy/proxy-service';
import { DEFAULT_RETRY_POLICY, retryDelay } from '../../../lambdas/domain/proxy/retry';
import type { GenerateResult, ProviderModel, StreamPart } from '../../../lambdas/domain/proxy/sdk-types';
import { streamOf } from '../../support/stream-parts';

const SECRET = 'sk-unit-secret-abcdefghijklmnop';
const tenant = { org_id: 'o', workspace_id: 'w', project_id: 'p' };
const caller = { tenant, projectName: 'proj', credentialId: 'api-key:abc' };

type Behaviour = 'ok' | number | { status: number; headers?: Record<string, string> };

function apiError(status: number, headers?: Record<string, string>): APICallError {
  return new APICallError({
    message: `provider says no, key ${SECRET}`,
    url: 'https://provider.example/v1/chat/completions',
    requestBodyValues: {},
    statusCode: status,
    ...(headers && { responseHeaders: headers }),
  });
}

const answer = (text: string): GenerateResult =>
  ({
    content: [{ type: 'text', text }],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: {
      inputTokens: { total: 1000, noCache: 1000, cacheRead: 0, cacheWrite: undefined },
      outputTokens: { total: 500, text: 500, reasoning: undefined },
    },
    warnings: [],
  }) as unknown as GenerateResult;

/** Providers scripted per `<provider>/<model>`: each call takes the next behaviour. */
function scripted(script: Record<string, Behaviour[]>) {
  const calls: string[] = [];
  const models: ModelFactory = (target) => {
    const name = `${target.provider}/${target.model}`;
    const next = () => {
      calls.push(name);
      const behaviour = script[name]?.shift() ?? 'ok';
      if (behaviour === 'ok') return;
      const { status, headers } =
        typeof behaviour === 'number' ? { status: behaviour, headers: undefined } : behaviour;
      throw apiError(status, headers);
    };
    return {
      async doGenerate() {
        next();
        return answer(`from ${name}`);
      },
      async doStream() {
        next();
        return streamOf([
          { type: 'stream-start', warnings: [] },
          { type: 'text-delta', id: '1', delta: 'streamed ' },
          { type: 'text-delta', id: '1', delta: name },
          { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: answer('').usage },
        ] as StreamPart[]);
      },
    } as unknown as ProviderModel;
  };
  return { models, calls };
}

function setup(
  script: Record<string, Behaviour[]>,
  extra: Partial<Parameters<typeof createProxyService>[0]> = {},
) {
  const { models, calls } = scripted(script);
  const events: WaggleEvent[] = [];
  const sleeps: number[] = [];
  const service = createProxyService({
    classifyFailure: classifyProviderFailure,
    keys: {
      resolve: async (_t, provider) => ({
        provider,
        scope: 'project',
        version: 1,
        apiKey: new SecretValue(SECRET),
      }),
    },
    models,
    publish: async (records: EventRecord[]) => {
      for (const record of records) if (record.kind === 'event') events.push(record.event);
    },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...extra,
  });
  /** One request; an unstreamed answer's recording (event, settle, cache) is awaited too. */
  const call = async (body: Record<string, unknown>, more: Record<string, unknown> = {}) => {
    const result = await service.handle({
      caller,
      body: { messages: [{ role: 'user', content: 'hi' }], ...body },
      requestId: 'r1',
      ...more,
    });
    if (result.kind === 'completion') await result.recorded;
    return result;
  };
  return { call, calls, events, sleeps };
}

describe('the proxy call path', () => {
  it('retries a 5xx with backoff, then answers, recording one event with the attempts', async () => {
    const { call, calls, events, sleeps } = setup({ 'openai/gpt-4o': [500, 503] });
    const result = await call({ model: 'openai/gpt-4o' });
    expect(result.kind === 'completion' && result.completion.choices[0].message.content).toBe(
      'from openai/gpt-4o',
    );
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([125, 250]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      model: 'gpt-4o',
      provider: 'openai',
      prompt_tokens: 1000,
      completion_tokens: 500,
      error: null,
    });
    expect(events[0]?.cost).toBeGreaterThan(0);
    expect(events[0]?.metadata).toMatchObject({ attempts: 3, fallback_used: null });
  });

  it('honours Retry-After, and moves to the fallback when it asks for too long', async () => {
    const honoured = setup({ 'openai/gpt-4o': [{ status: 429, headers: { 'retry-after': '2' } }] });
    await honoured.call({ model: 'openai/gpt-4o' });
    expect(honoured.sleeps).toEqual([2000]);

    const tooLong = setup({ 'openai/gpt-4o': [{ status: 429, headers: { 'retry-after': '120' } }] });
    const result = await tooLong.call({ model: 'openai/gpt-4o', fallbacks: ['anthropic/claude-sonnet-4'] });
    expect(result.kind === 'completion' && result.completion.choices[0].message.content).toBe(
      'from anthropic/claude-sonnet-4',
    );
    expect(tooLong.calls).toEqual(['openai/gpt-4o', 'anthropic/claude-sonnet-4']);
    expect(tooLong.events[0]?.metadata).toMatchObject({
      fallback_used: 'anthropic/claude-sonnet-4',
      attempts: 2,
    });
    expect(tooLong.events[0]).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4' });
  });

  it('does not retry or fall back on a 400; fails with 502 when every target is down; never shows the key', async () => {
    const refused = setup({ 'openai/gpt-4o': [400] });
    const error = await refused
      .call({ model: 'openai/gpt-4o', fallbacks: ['anthropic/claude-sonnet-4'] })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'provider_refused' });
    expect(refused.calls).toEqual(['openai/gpt-4o']);

    const down = setup({ 'openai/gpt-4o': [502, 502, 502], 'anthropic/claude-sonnet-4': [503, 503, 503] });
    const failed = await down
      .call({ model: 'openai/gpt-4o', fallbacks: ['anthropic/claude-sonnet-4'], stream: true })
      .catch((e) => e);
    expect(failed).toMatchObject({ code: 'provider_unavailable' });
    expect(down.calls).toHaveLength(6);
    expect(down.events).toHaveLength(1);
    expect(down.events[0]?.error).toContain('503');
    for (const text of [
      error.message,
      failed.message,
      JSON.stringify(down.events),
      JSON.stringify(refused.events),
    ]) {
      expect(text).not.toContain(SECRET);
    }
  });

  it('streams from the fallback when the first target fails before its first token', async () => {
    const { call, events } = setup({ 'openai/gpt-4o': [500, 500, 500] });
    const result = await call({
      model: 'openai/gpt-4o',
      fallbacks: ['anthropic/claude-sonnet-4'],
      stream: true,
      stream_options: { include_usage: true },
    });
    if (result.kind !== 'stream') throw new Error('expected a stream');
    let text = '';
    const chunks = [];
    for await (const chunk of result.chunks) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('streamed anthropic/claude-sonnet-4');
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 1000, completion_tokens: 500 });
    expect(events[0]?.metadata).toMatchObject({ fallback_used: 'anthropic/claude-sonnet-4', stream: true });
    expect(events[0]?.completion_tokens).toBe(500);
  });

  it('records a stream the client abandoned, with what was sent so far and why it ended', async () => {
    const { call, events } = setup({});
    const result = await call({ model: 'openai/gpt-4o', stream: true });
    if (result.kind !== 'stream') throw new Error('expected a stream');
    const first = await result.chunks.next();
    expect(first.value?.choices[0]?.delta.content).toBe('streamed ');
    await result.chunks.return();
    expect(events).toHaveLength(1);
    expect(events[0]?.error).toBe('the client disconnected before the stream ended');
    expect(events[0]?.outputs).toMatchObject({ content: 'streamed ' });
  });

  it('admits through the guards, settles the real cost, and refuses with their 429', async () => {
    const settled: number[] = [];
    const guards: ProxyGuards = {
      async admit(request) {
        if (request.caller.credentialId === 'api-key:abc' && request.reserveUsd > 100)
          throw new RateLimitedError('budget spent', 60);
        return { caller: request.caller, reservedUsd: request.reserveUsd, at: request.at, counters: ['x'] };
      },
      async settle(_admission, usd) {
        settled.push(usd);
      },
    };
    const { call } = setup({}, { guards });
    await call({ model: 'openai/gpt-4o', max_tokens: 100 });
    expect(settled).toHaveLength(1);
    expect(settled[0]).toBeGreaterThan(0);
    await expect(call({ model: 'openai/gpt-4o', max_tokens: 100_000_000 })).rejects.toBeInstanceOf(
      RateLimitedError,
    );
  });

  it('serves the second identical request from the cache when asked, with no provider call', async () => {
    const store = new Map<string, Record<string, unknown>>();
    const cache: ResponseCache = {
      async get(_t, key) {
        const body = store.get(key);
        return body && { body, cachedAt: 0 };
      },
      async put(_t, key, value) {
        store.set(key, value.body);
      },
    };
    const { call, calls, events } = setup({}, { cache });
    const first = await call({ model: 'openai/gpt-4o' }, { cacheTtlSeconds: 60 });
    const second = await call({ model: 'openai/gpt-4o' }, { cacheTtlSeconds: 60 });
    expect(calls).toHaveLength(1);
    expect(first.kind === 'completion' && first.cacheHit).toBe(false);
    expect(second.kind === 'completion' && second.cacheHit).toBe(true);
    expect(events[1]?.metadata).toMatchObject({ cache_hit: true });
    expect(events[1]?.cost).toBe(0);
  });
});

describe('retry delays', () => {
  it('stay within the policy: full jitter under the capped exponential, none past maxRetries or for 4xx', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (retry, r) => {
          const wait = retryDelay({ transient: true }, retry, DEFAULT_RETRY_POLICY, () => r);
          if (retry >= DEFAULT_RETRY_POLICY.maxRetries) expect(wait).toBeUndefined();
          else
            expect(wait).toBeLessThanOrEqual(
              Math.min(DEFAULT_RETRY_POLICY.maxDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** retry),
            );
          expect(
            retryDelay({ transient: false, providerStatus: 400 }, retry, DEFAULT_RETRY_POLICY, () => r),
          ).toBeUndefined();
        },
      ),
    );
  });

  it('read Retry-After as seconds, an HTTP date, or retry-after-ms', () => {
    expect(retryAfterOf({ 'Retry-After': '3' }, 0)).toBe(3000);
    expect(retryAfterOf({ 'retry-after-ms': '150' }, 0)).toBe(150);
    expect(retryAfterOf({ 'retry-after': new Date(10_000).toUTCString() }, 4_000)).toBe(6000);
    expect(retryAfterOf({ 'retry-after': 'soon' }, 0)).toBeUndefined();
  });
});
