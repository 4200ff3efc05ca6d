/**
 * The llm-proxy app with in-memory ports: who may call (an ingest-scoped key), OpenAI-shaped
 * errors with their statuses (404 unknown model, 400 missing provider key naming it, 429 budget
 * with Retry-After, 502 provider down), SSE framing of a streamed answer ending in [DONE], and
 * model events on the queue.
 */
import { APICallError } from 'ai';
import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../../../lambdas/domain/auth/api-key';
import { RateLimitedError } from '../../../lambdas/domain/errors';
import type { EventRecord } from '../../../lambdas/domain/events/event';
import type { ProviderId } from '../../../lambdas/domain/providers/provider-ids';
import { SecretValue } from '../../../lambdas/domain/providers/secret-value';
import type { ModelFactory } from '../../../lambdas/domain/proxy/provider-models';
import type { ProviderModel, StreamPart } from '../../../lambdas/domain/proxy/sdk-types';
import { createLlmProxyApp, type ResponseSink } from '../../../lambdas/llm-proxy/app';
import { apigwEvent } from '../../support/apigw-event';
import { MemoryKeyRegistry } from '../../support/memory-ports';
import { streamOf } from '../../support/stream-parts';

const TENANT = { org_id: 'o1', workspace_id: 'w1', project_id: 'p1' };
const usage = {
  inputTokens: { total: 12, noCache: 12, cacheRead: 0, cacheWrite: undefined },
  outputTokens: { total: 3, text: 3, reasoning: undefined },
};

const models: ModelFactory = (target) =>
  ({
    async doGenerate() {
      if (target.model === 'down')
        throw new APICallError({
          message: 'overloaded',
          url: 'https://x',
          requestBodyValues: {},
          statusCode: 503,
        });
      return {
        content: [{ type: 'text', text: 'hello' }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage,
        warnings: [],
      };
    },
    async doStream() {
      return streamOf([
        { type: 'text-delta', id: '1', delta: 'hel' },
        { type: 'text-delta', id: '1', delta: 'lo' },
        { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
      ] as StreamPart[]);
    },
  }) as unknown as ProviderModel;

async function setup(options: { budgetSpent?: boolean } = {}) {
  const ingestKey = generateApiKey();
  const readKey = generateApiKey();
  const keys = new MemoryKeyRegistry();
  await keys.register(ingestKey, { ...TENANT, projectName: 'proj' }, ['ingest']);
  await keys.register(readKey, { ...TENANT, projectName: 'proj' }, ['read']);
  const records: EventRecord[] = [];
  const app = createLlmProxyApp({
    keys,
    providerKeys: {
      resolve: async (_tenant, provider: ProviderId) =>
        provider === 'openai'
          ? { provider, scope: 'project', version: 1, apiKey: new SecretValue('sk-app-test-secret') }
          : undefined,
    },
    models,
    publish: async (batch) => {
      records.push(...batch);
    },
    sleep: async () => {},
    ...(options.budgetSpent && {
      guards: {
        admit: async () => {
          throw new RateLimitedError('The project daily budget of $1.00 is spent', 3600);
        },
        settle: async () => {},
      },
    }),
  });
  async function call(body: unknown, key = ingestKey, method = 'POST') {
    const written: string[] = [];
    let status = 0;
    let headers: Record<string, string> = {};
    let ended = false;
    const sink: ResponseSink = {
      start: (s, h) => {
        status = s;
        headers = h;
      },
      write: (text) => {
        written.push(text);
      },
      end: () => {
        ended = true;
      },
    };
    await app(
      apigwEvent({
        method,
        path: '/v1/chat/completions',
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
        base64: false,
      }),
      sink,
    );
    return { status, headers, text: written.join(''), chunks: written, ended };
  }
  return { call, records, readKey };
}

const messages = [{ role: 'user', content: 'hi' }];

describe('the llm-proxy app', () => {
  it('answers a completion to an ingest-scoped key and queues its model event', async () => {
    const { call, records } = await setup();
    const answer = await call({ model: 'openai/gpt-4o', messages });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({
      object: 'chat.completion',
      model: 'openai/gpt-4o',
      choices: [{ message: { content: 'hello' } }],
    });
    expect(answer.ended).toBe(true);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      kind: 'event',
      event: { event_type: 'model', project_id: 'p1', prompt_tokens: 12 },
    });
    // The answer names the event and its cost, for the console's playground.
    const record = records[0] as Extract<EventRecord, { kind: 'event' }>;
    expect(answer.headers['x-waggle-event-id']).toBe(record.event.event_id);
    expect(Number(answer.headers['x-waggle-cost-usd'])).toBe(record.event.cost);
  });

  it('streams SSE chunks, one event per write, ending with [DONE]', async () => {
    const { call } = await setup();
    const answer = await call({ model: 'openai/gpt-4o', messages, stream: true });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toContain('text/event-stream');
    expect(answer.chunks.every((chunk) => chunk.startsWith('data: ') && chunk.endsWith('\n\n'))).toBe(true);
    expect(answer.chunks.at(-1)).toBe('data: [DONE]\n\n');
    const text = answer.chunks
      .slice(0, -1)
      .map((chunk) => JSON.parse(chunk.slice(6)))
      .map((chunk) => chunk.choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe('hello');
  });

  it('answers errors in the OpenAI shape with the right statuses', async () => {
    const { call, readKey } = await setup();
    const cases: [unknown, number, RegExp][] = [
      [{ model: 'no-such-thing', messages }, 404, /Unknown model or configuration/],
      [{ model: 'anthropic/claude-sonnet-4', messages }, 400, /No provider key for anthropic/],
      [{ model: 'openai/down', messages }, 502, /openai\/down failed \(503\)/],
      [{ model: 'openai/gpt-4o', messages, n: 3 }, 400, /n must be 1/],
    ];
    for (const [body, status, message] of cases) {
      const answer = await call(body);
      expect(answer.status, JSON.stringify(body)).toBe(status);
      const error = JSON.parse(answer.text).error;
      expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(error.message).toMatch(message);
    }
    expect((await call({ model: 'openai/gpt-4o', messages }, readKey)).status).toBe(403);
    expect((await call({ model: 'openai/gpt-4o', messages }, 'wgl_bogus')).status).toBe(401);
    expect((await call({ model: 'openai/gpt-4o', messages }, undefined, 'GET')).status).toBe(405);
  });

  it('refuses a spent budget with 429 and Retry-After before calling anything', async () => {
    const { call, records } = await setup({ budgetSpent: true });
    const answer = await call({ model: 'openai/gpt-4o', messages });
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('3600');
    expect(JSON.parse(answer.text).error).toMatchObject({
      type: 'rate_limit_error',
      code: 'budget_exceeded',
    });
    expect(records).toHaveLength(0);
  });
});
