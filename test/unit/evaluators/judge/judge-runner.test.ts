/**
 * LLM judges end to end in one process: the JudgeRunner built by createProviderJudgeRunner (the LLM
 * proxy's service, the maintained AI SDK adapters) calling the fake OpenAI-compatible and Anthropic
 * servers on 127.0.0.1 with the project's provider keys. Structured output and the [[rating]]
 * fallback, the return types and thresholds, retries, fallbacks, budgets, errors, and the judge's own
 * model event.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviderJudgeRunner } from '../../../../lambdas/adapters/providers/provider-judge-runner';
import type {
  EvaluationInput,
  EvaluationOutcome,
  EvaluatorDefinition,
} from '../../../../lambdas/domain/evaluators/evaluator';
import { judgeBudgetCounter } from '../../../../lambdas/domain/evaluators/judge/judge-budget';
import { JUDGE_EVENT_SOURCE } from '../../../../lambdas/domain/evaluators/judge/judge-runner';
import type { EventRecord, WaggleEvent } from '../../../../lambdas/domain/events/event';
import { publishRecords } from '../../../../lambdas/domain/ingest/publish-records';
import { computeCost } from '../../../../lambdas/domain/pricing/compute-cost';
import { findPrice } from '../../../../lambdas/domain/pricing/find-price';
import type { ProviderId } from '../../../../lambdas/domain/providers/provider-ids';
import type { ResolvedProviderKey } from '../../../../lambdas/domain/providers/resolve';
import { SecretValue } from '../../../../lambdas/domain/providers/secret-value';
import { createProxyGuards, MICRO_USD } from '../../../../lambdas/domain/proxy/admission';
import { periodOf } from '../../../../lambdas/domain/proxy/periods';
import { SQS_MAX_MESSAGE_BYTES } from '../../../../lambdas/domain/queue-limits';
import { evaluationInput } from '../../../support/evaluation-input';
import { evaluatorDefinition } from '../../../support/evaluator-definition';
import {
  countTokens,
  type FakeProvider,
  startFakeAnthropic,
  startFakeOpenAICompatible,
} from '../../../support/fake-providers';
import { MemoryObjectStore, MemoryQueue } from '../../../support/memory-ports';
import { MemoryProxyLimitsStore, MemoryUsageCounters } from '../../../support/memory-proxy-limits';

const OPENAI_KEY = 'sk-judge-openai-fake-0123456789';
const ANTHROPIC_KEY = 'sk-ant-judge-fake-0123456789';
const tenant = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' };
const NOW = Date.UTC(2026, 11, 3, 10, 0, 0);

let openai: FakeProvider;
let anthropic: FakeProvider;
beforeAll(async () => {
  openai = await startFakeOpenAICompatible({ apiKey: OPENAI_KEY });
  anthropic = await startFakeAnthropic({ apiKey: ANTHROPIC_KEY });
});
afterAll(async () => {
  await openai.close();
  await anthropic.close();
});
beforeEach(() => {
  openai.reset();
  anthropic.reset();
});

const input = evaluationInput({
  event_id: 'evt-judged-1',
  session_id: 'sess-judged-1',
  event_name: 'answer',
  inputs: { question: 'What is the capital of France?', chat_history: [{ role: 'user', content: 'hi' }] },
  outputs: { content: 'Paris is the capital of France.' },
  metadata: { 'gen_ai.system': 'openai' },
  ground_truth: 'Paris',
});

function evaluator(overrides: Partial<EvaluatorDefinition> = {}): EvaluatorDefinition {
  return evaluatorDefinition({
    projectId: tenant.project_id,
    name: 'answers-the-question',
    version: 3,
    type: 'model',
    prompt:
      'Question: {{inputs.question}}\nAnswer: {{outputs.content}}\nExpected: {{ground_truth}}\nDoes the answer answer the question correctly?',
    returnType: 'boolean',
    passWhen: true,
    modelProvider: 'openai',
    modelName: 'gpt-4o-mini',
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  });
}

interface Setup {
  keys?: Partial<Record<ProviderId, 'openai' | 'anthropic'>>;
  defaultDailyBudgetUsd?: number;
  fallbacks?: Record<string, string[]>;
  projectUsdPerDay?: number;
}

function setup(options: Setup = {}) {
  const keys = options.keys ?? { openai: 'openai', 'openai-compatible': 'openai', anthropic: 'anthropic' };
  const events: WaggleEvent[] = [];
  const sleeps: number[] = [];
  const counters = new MemoryUsageCounters();
  const limits = new MemoryProxyLimitsStore();
  const guards = createProxyGuards({ limits, counters, clock: () => NOW, limitsCacheMs: 0 });
  if (options.projectUsdPerDay !== undefined) {
    void limits.put(tenant, {
      limits: { project: { usd_per_day: options.projectUsdPerDay }, credentials: {} },
      updatedAt: NOW,
      updatedBy: 'test',
    });
  }
  const judge = createProviderJudgeRunner({
    keys: {
      async resolve(_tenant, provider): Promise<ResolvedProviderKey | undefined> {
        const fake = keys[provider];
        if (fake === undefined) return undefined;
        return {
          provider,
          scope: 'project',
          version: 1,
          apiKey: new SecretValue(fake === 'openai' ? OPENAI_KEY : ANTHROPIC_KEY),
          baseUrl: fake === 'openai' ? openai.url : anthropic.url,
        };
      },
    },
    // The fakes listen on loopback, which the AWS function's guarded fetch refuses.
    models: { fetch: globalThis.fetch },
    publish: async (records: EventRecord[]) => {
      for (const record of records) if (record.kind === 'event') events.push(record.event);
    },
    counters,
    guards,
    defaultDailyBudgetUsd: options.defaultDailyBudgetUsd ?? 1,
    fallbacks: options.fallbacks,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    clock: () => NOW,
  });
  const run = (definition: EvaluatorDefinition, judged: EvaluationInput = input) =>
    judge.run({ tenant, evaluator: definition, input: judged, requestId: 'req-judge-1' });
  const evaluatorSpend = (evaluatorId = 'ev-1') =>
    (counters.values.get(judgeBudgetCounter(tenant, evaluatorId, periodOf('day', NOW))) ?? 0) / MICRO_USD;
  return { run, events, sleeps, counters, evaluatorSpend };
}

type Body = {
  messages: { role: string; content: unknown }[];
  response_format?: {
    type: string;
    json_schema?: { schema: { properties: Record<string, { type: string }> } };
  };
  system?: unknown;
  output_config?: { format?: { type: string; schema: { properties: Record<string, { type: string }> } } };
  tools?: { name: string; input_schema: { properties: Record<string, { type: string }> } }[];
};

function ok(outcome: EvaluationOutcome) {
  if (outcome.status !== 'ok') throw new Error(`expected a score, got ${JSON.stringify(outcome.error)}`);
  return outcome;
}

function failed(outcome: EvaluationOutcome) {
  if (outcome.status !== 'error') throw new Error(`expected an error, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('a boolean judge with structured output (openai)', () => {
  it('sends the filled prompt with a json_schema response format, and scores the JSON verdict', async () => {
    const { run, events, evaluatorSpend } = setup();
    openai.respondWith({ text: '{"explanation":"Paris is right.","rating":true}' });
    const outcome = ok(await run(evaluator()));

    expect(outcome).toMatchObject({ value: true, passed: true, explanation: 'Paris is right.' });
    const [request] = openai.requests;
    const body = request?.body as Body;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(body.response_format?.type).toBe('json_schema');
    expect(body.response_format?.json_schema?.schema.properties.rating?.type).toBe('boolean');
    const user = body.messages.find((message) => message.role === 'user');
    expect(user?.content).toBe(
      'Question: What is the capital of France?\nAnswer: Paris is the capital of France.\nExpected: Paris\nDoes the answer answer the question correctly?',
    );
    expect(JSON.stringify(body.messages[0])).toContain('JSON object');

    // The judge's own model event: the id the outcome names, tokens, cost, and who judged what.
    expect(events).toHaveLength(1);
    const event = events[0] as WaggleEvent;
    expect(outcome.judgeEventId).toBe(event.event_id);
    expect(event).toMatchObject({
      ...tenant,
      event_type: 'model',
      source: JUDGE_EVENT_SOURCE,
      model: 'gpt-4o-mini',
      provider: 'openai',
      metadata: expect.objectContaining({
        evaluator: { id: 'ev-1', name: 'answers-the-question', version: 3 },
        evaluated_event_id: 'evt-judged-1',
        evaluated_session_id: 'sess-judged-1',
        request_id: 'req-judge-1',
      }),
    });
    const promptTokens = countTokens(body.messages.map((m) => String(m.content)).join(' '));
    const completionTokens = countTokens('{"explanation":"Paris is right.","rating":true}');
    expect(event.prompt_tokens).toBe(promptTokens);
    expect(event.completion_tokens).toBe(completionTokens);
    const price = findPrice('gpt-4o-mini', 'openai');
    if (!price) throw new Error('gpt-4o-mini has no price');
    const expectedCost = computeCost(price, { promptTokens, completionTokens, cachedInputTokens: 0 });
    expect(event.cost).toBeCloseTo(expectedCost, 12);
    expect(outcome.costUsd).toBeCloseTo(expectedCost, 12);
    // The evaluator's budget counter holds what the call cost, its reservation replaced.
    expect(evaluatorSpend()).toBeCloseTo(Math.ceil(expectedCost * MICRO_USD) / MICRO_USD, 6);
  });

  it('fails the score when the rating is not passWhen', async () => {
    const { run } = setup();
    openai.respondWith({ text: '{"explanation":"It names Lyon.","rating":false}' });
    expect(ok(await run(evaluator()))).toMatchObject({ value: false, passed: false });
  });

  it('reads a verdict from Anthropic, asked for structured output through the Messages API', async () => {
    const { run, events } = setup();
    anthropic.respondWith({ text: '{"explanation":"Correct.","rating":true}' });
    const outcome = ok(await run(evaluator({ modelProvider: 'anthropic', modelName: 'claude-sonnet-4-5' })));
    expect(outcome).toMatchObject({ value: true, passed: true, explanation: 'Correct.' });
    const body = anthropic.requests[0]?.body as Body;
    // Native structured output (output_config.format) or the adapter's json tool: either carries the schema.
    const schema =
      body.output_config?.format?.schema ?? body.tools?.find((t) => t.name === 'json')?.input_schema;
    expect(schema?.properties.rating?.type).toBe('boolean');
    expect(events[0]).toMatchObject({ provider: 'anthropic', source: JUDGE_EVENT_SOURCE });
    expect(events[0]?.cost).toBeGreaterThan(0);
  });
});

describe('a float judge without structured output (openai-compatible): the [[rating]] fallback', () => {
  const floatJudge = (threshold: EvaluatorDefinition['threshold']) =>
    evaluator({
      returnType: 'float',
      passWhen: undefined,
      threshold,
      modelProvider: 'openai-compatible',
      modelName: 'gpt-4o-mini',
      prompt: 'Rate from 0 to 1 how well {{outputs.content}} answers {{inputs.question}}.',
    });

  it('asks for [[rating]] in words, with no response_format, and reads the last one', async () => {
    const { run } = setup();
    openai.respondWith({ text: 'It is correct but terse; [[0.9]] would be too generous.\nRating: [[0.7]]' });
    const outcome = ok(await run(floatJudge({ min: 0.8 })));
    expect(outcome).toMatchObject({
      value: 0.7,
      passed: false,
      explanation: 'It is correct but terse; [[0.9]] would be too generous.',
    });
    const body = openai.requests[0]?.body as Body;
    expect(body.response_format).toBeUndefined();
    expect(String(body.messages[0]?.content)).toContain('double square brackets');
  });

  it('passes within the threshold', async () => {
    const { run } = setup();
    openai.respondWith({ text: 'Good. [[0.7]]' });
    expect(ok(await run(floatJudge({ min: 0.5, max: 1 })))).toMatchObject({ value: 0.7, passed: true });
  });

  it('still reads a JSON verdict when a model without structured output answers with one', async () => {
    const { run } = setup();
    openai.respondWith({ text: '```json\n{"explanation": "fine", "rating": "0.25"}\n```' });
    expect(ok(await run(floatJudge({ min: 0.5 })))).toMatchObject({
      value: 0.25,
      passed: false,
      explanation: 'fine',
    });
  });

  it('has no passed when the evaluator sets no threshold', async () => {
    const { run } = setup();
    openai.respondWith({ text: '[[3]]' });
    const outcome = ok(await run(floatJudge(undefined)));
    expect(outcome.value).toBe(3);
    expect(outcome).not.toHaveProperty('passed');
  });
});

describe('errors are outcomes', () => {
  it('an answer without a rating is a judge-error that still names the call and its cost', async () => {
    const { run, events } = setup();
    openai.respondWith({ text: 'I cannot evaluate this answer.' });
    const outcome = failed(await run(evaluator({ modelProvider: 'openai-compatible' })));
    expect(outcome.error.kind).toBe('judge-error');
    expect(outcome.error.message).toContain('no rating');
    expect(outcome.error.message).toContain('I cannot evaluate this answer.');
    expect(outcome.judgeEventId).toBe(events[0]?.event_id);
    expect(outcome.costUsd).toBeGreaterThan(0);
  });

  it('a rating of the wrong type is a judge-error', async () => {
    const { run } = setup();
    openai.respondWith({ text: '{"explanation":"meh","rating":"somewhat"}' });
    const outcome = failed(await run(evaluator()));
    expect(outcome.error).toMatchObject({ kind: 'judge-error' });
    expect(outcome.error.message).toContain('does not fit boolean');
  });

  it('a missing provider key is a judge-error before any provider call, with no event', async () => {
    const { run, events, evaluatorSpend } = setup({ keys: { openai: 'openai' } });
    const outcome = failed(
      await run(evaluator({ modelProvider: 'anthropic', modelName: 'claude-sonnet-4-5' })),
    );
    expect(outcome.error.kind).toBe('judge-error');
    expect(outcome.error.message).toContain('No provider key for anthropic');
    expect(outcome.judgeEventId).toBeUndefined();
    expect(anthropic.requests).toHaveLength(0);
    expect(events).toHaveLength(0);
    // The reservation was given back.
    expect(evaluatorSpend()).toBe(0);
  });

  it('a provider that keeps failing is a judge-error naming the failed call, which was recorded', async () => {
    const { run, events, sleeps } = setup();
    openai.respondWith({ error: { status: 500 } });
    const outcome = failed(await run(evaluator()));
    expect(outcome.error.kind).toBe('judge-error');
    expect(outcome.error.message).toMatch(/openai\/gpt-4o-mini failed \(500\)/);
    expect(openai.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(outcome.judgeEventId).toBe(events[0]?.event_id);
    expect(events[0]).toMatchObject({
      source: JUDGE_EVENT_SOURCE,
      metadata: expect.objectContaining({ attempts: 3 }),
    });
    expect(events[0]?.error).toContain('500');
  });

  it('a refused request (4xx) is a judge-error without retries', async () => {
    const { run } = setup();
    openai.respondWith({ error: { status: 400, message: 'the model does not exist' } });
    const outcome = failed(await run(evaluator()));
    expect(outcome.error.message).toContain('refused the request');
    expect(openai.requests).toHaveLength(1);
  });

  it('a definition without a model, or with a prompt variable the event lacks, calls nothing', async () => {
    const { run } = setup();
    expect(failed(await run(evaluator({ modelName: undefined }))).error.message).toContain('names no model');
    expect(failed(await run(evaluator({ modelProvider: 'mistral' }))).error.message).toContain(
      'unknown model provider',
    );
    expect(failed(await run(evaluator({ type: 'custom' }))).error.message).toContain('not an LLM judge');
    expect(failed(await run(evaluator({ prompt: 'Judge {{outputs.missing}}' }))).error).toEqual({
      kind: 'judge-error',
      message: "the prompt's {{outputs.missing}} names nothing in this event",
    });
    const { ground_truth: _none, ...withoutTruth } = input;
    expect(failed(await run(evaluator(), withoutTruth)).error.kind).toBe('missing-ground-truth');
    expect(
      failed(await run(evaluator({ needsGroundTruth: true, prompt: 'Judge {{outputs}}' }), withoutTruth))
        .error.kind,
    ).toBe('missing-ground-truth');
    expect(openai.requests).toHaveLength(0);
  });
});

describe('retries and fallbacks are the proxy’s', () => {
  it('waits as long as Retry-After says, then scores', async () => {
    const { run, sleeps, events } = setup();
    openai.queue({ error: { status: 429, retryAfter: 2 } });
    openai.respondWith({ text: '{"explanation":"ok","rating":true}' });
    expect(ok(await run(evaluator())).value).toBe(true);
    expect(sleeps).toEqual([2000]);
    expect(events[0]?.metadata).toMatchObject({ attempts: 2 });
  });

  it('a provider 500 moves on to the configured fallback, and the event says which model answered', async () => {
    const { run, events } = setup({
      fallbacks: { 'openai-compatible/gpt-4o-mini': ['anthropic/claude-haiku-4-5'] },
    });
    openai.respondWith({ error: { status: 500 } });
    anthropic.respondWith({ text: '{"explanation":"Right.","rating":true}' });
    const outcome = ok(await run(evaluator({ modelProvider: 'openai-compatible' })));
    expect(outcome).toMatchObject({ value: true, passed: true, explanation: 'Right.' });
    expect(openai.requests).toHaveLength(3);
    expect(anthropic.requests).toHaveLength(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event_id: outcome.judgeEventId,
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      metadata: expect.objectContaining({ fallback_used: 'anthropic/claude-haiku-4-5', attempts: 4 }),
    });
  });
});

describe('budgets', () => {
  it("a spent evaluator budget is 'budget-exceeded' without calling the provider", async () => {
    const { run, events } = setup();
    const outcome = failed(await run(evaluator({ judgeBudgetUsdPerDay: 0 })));
    expect(outcome.error.kind).toBe('budget-exceeded');
    expect(outcome.error.message).toContain('daily judge budget of $0.00');
    expect(openai.requests).toHaveLength(0);
    expect(events).toHaveLength(0);
  });

  it('stops a runaway judge once its day has cost the budget, and leaves other evaluators alone', async () => {
    // The default budget applies to evaluators without one of their own.
    const { run, evaluatorSpend } = setup({ defaultDailyBudgetUsd: 0.00002 });
    openai.respondWith({ text: '{"explanation":"ok","rating":true}' });
    const outcomes: EvaluationOutcome[] = [];
    for (let i = 0; i < 6; i++) outcomes.push(await run(evaluator()));
    const scored = outcomes.filter((o) => o.status === 'ok').length;
    expect(scored).toBeGreaterThanOrEqual(1);
    expect(
      outcomes.slice(scored).every((o) => o.status === 'error' && o.error.kind === 'budget-exceeded'),
    ).toBe(true);
    expect(scored).toBeLessThan(6);
    expect(openai.requests).toHaveLength(scored);
    expect(evaluatorSpend()).toBeGreaterThanOrEqual(0.00002);
    // Another evaluator has a counter of its own.
    expect(ok(await run(evaluator({ id: 'ev-2' }))).value).toBe(true);
  });

  it("the project's proxy budget counts judges too: a spent one is 'budget-exceeded'", async () => {
    const { run, evaluatorSpend } = setup({ projectUsdPerDay: 0 });
    const outcome = failed(await run(evaluator()));
    expect(outcome.error.kind).toBe('budget-exceeded');
    expect(outcome.error.message).toContain("project's daily budget");
    expect(openai.requests).toHaveLength(0);
    expect(evaluatorSpend()).toBe(0);
  });
});

describe('sizes', () => {
  it('a prompt at its limit, of text that hardly compresses, still makes an event within an SQS message (1 MiB)', async () => {
    const { run, events } = setup();
    openai.respondWith({ text: '{"explanation":"ok","rating":true}' });
    // Nine values of 20,000 characters (the most a value keeps), three UTF-8 bytes each, from a PRNG.
    let seed = 7;
    const noise = () =>
      Array.from({ length: 20_000 }, () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return String.fromCharCode(0x4e00 + (seed % 20_000));
      }).join('');
    const names = 'abcdefghi'.split('');
    const judged = { ...input, inputs: Object.fromEntries(names.map((name) => [name, noise()])) };
    const prompt = names.map((name) => `{{inputs.${name}}}`).join('\n');
    expect(ok(await run(evaluator({ prompt }), judged)).value).toBe(true);
    const sent = openai.requests[0]?.body as Body;
    expect(String(sent.messages[1]?.content).length).toBe(9 * 20_000 + 8);

    const queue = new MemoryQueue();
    const overflow = new MemoryObjectStore();
    await publishRecords([{ kind: 'event', event: events[0] as WaggleEvent }], queue, overflow, {
      requestId: 'judge',
    });
    expect(queue.messages.length).toBeGreaterThan(0);
    for (const message of queue.messages) {
      expect(Buffer.byteLength(message.body)).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    }
  });
});
