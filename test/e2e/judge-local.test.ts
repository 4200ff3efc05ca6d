/**
 * The local platform's LLM judge (platform.judge): a fake OpenAI-compatible server registered as the
 * project's `openai-compatible` key through the API, a judge scored through it, and its model event
 * read back through the read API by the id the score names, with tokens, cost and the evaluator;
 * the evaluator's budget counted on the platform's dynalite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluatorDefinition } from '../../lambdas/domain/evaluators/evaluator';
import { LOCAL_TENANT } from '../../lambdas/local/platform';
import { evaluationInput } from '../support/evaluation-input';
import { type FakeProvider, startFakeOpenAICompatible } from '../support/fake-providers';
import { eventually, readApi } from '../support/read-api-client';
import { platformForFile } from '../support/temp-platform';

const PROVIDER_SECRET = 'sk-fake-judge-e2e-SECRET-1a2b3c4d5e';

const local = platformForFile('waggle-judge-', {
  writer: { maximumBatchingWindowMs: 100, visibilityTimeoutMs: 2_000 },
});
let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeOpenAICompatible({ apiKey: PROVIDER_SECRET });
  await readApi(local.platform.url, local.platform.apiKey).putProviderKey('openai-compatible', {
    api_key: PROVIDER_SECRET,
    base_url: fake.url,
  });
}, 60_000);

afterAll(async () => {
  await fake?.close();
});

const input = evaluationInput({
  event_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  session_id: '1f0e6679-7425-40de-944b-e07fc1f90ae7',
  event_name: 'answer',
  model: null,
  provider: null,
  inputs: { question: 'Is the sky blue?' },
  outputs: { content: 'Yes, on a clear day.' },
});

function judge(overrides: Partial<EvaluatorDefinition> = {}): EvaluatorDefinition {
  return {
    id: 'local-judge-1',
    projectId: local.platform.projectId,
    name: 'is-correct',
    version: 1,
    type: 'model',
    description: '',
    prompt: 'Q: {{inputs.question}}\nA: {{outputs.content}}\nIs A correct?',
    returnType: 'float',
    threshold: { min: 0.5 },
    needsGroundTruth: false,
    enabledInProd: false,
    modelProvider: 'openai-compatible',
    modelName: 'gpt-4o-mini',
    samplingPercentage: 100,
    filters: [],
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

describe("the local platform's LLM judge", () => {
  const tenant = () => ({ ...LOCAL_TENANT, project_id: local.platform.projectId });

  it('scores through the project key and stores its own model event, found by the score’s judgeEventId', async () => {
    fake.respondWith({ text: 'Right on a clear day. [[0.9]]' });
    const outcome = await local.platform.judge.run({
      tenant: tenant(),
      evaluator: judge(),
      input,
      requestId: 'judge-e2e-1',
    });
    expect(outcome).toMatchObject({
      status: 'ok',
      value: 0.9,
      passed: true,
      explanation: 'Right on a clear day.',
    });
    if (outcome.status !== 'ok') throw new Error('no score');
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${PROVIDER_SECRET}`);

    const api = readApi(local.platform.url, local.platform.apiKey);
    const event = await eventually(async () => {
      const body = await api.export({
        filters: [{ field: 'source', operator: 'is', value: 'waggle-judge', type: 'string' }],
      });
      return body.events.find((found) => found.event_id === outcome.judgeEventId);
    });
    expect(event).toMatchObject({ event_type: 'model', provider: 'openai-compatible', model: 'gpt-4o-mini' });
    expect(event.prompt_tokens).toBeGreaterThan(0);
    expect(event.cost).toBeCloseTo(outcome.costUsd ?? Number.NaN, 12);
    expect(event.metadata).toMatchObject({
      evaluator: { id: 'local-judge-1', name: 'is-correct', version: 1 },
      evaluated_event_id: input.event_id,
    });
  }, 60_000);

  it('stops at the evaluator’s budget, counted on dynalite', async () => {
    const before = fake.requests.length;
    const outcome = await local.platform.judge.run({
      tenant: tenant(),
      evaluator: judge({ id: 'local-judge-2', judgeBudgetUsdPerDay: 0 }),
      input,
      requestId: 'judge-e2e-2',
    });
    expect(outcome).toMatchObject({ status: 'error', error: { kind: 'budget-exceeded' } });
    expect(fake.requests.length).toBe(before);
  }, 30_000);

  it("scores a new event online and keeps the judge's explanation, cost and own event in the scores table", async () => {
    fake.respondWith({ text: 'Correct and complete. [[0.8]]' });
    local.platform.evaluators.put(
      judge({ id: 'local-judge-online', enabledInProd: true, eventName: 'judged-answer' }),
    );
    const api = readApi(local.platform.url, local.platform.apiKey);
    const eventId = await api.sendEvent({
      event_type: 'model',
      event_name: 'judged-answer',
      inputs: { question: 'Is the sky blue?' },
      outputs: { content: 'Yes, on a clear day.' },
    });
    const [score] = await eventually(async () => {
      const response = await api.request('GET', `/v1/events/${eventId}/scores`);
      if (response.status !== 200) return undefined;
      const body = (await response.json()) as { scores: Record<string, unknown>[] };
      return body.scores.length > 0 ? body.scores : undefined;
    }, 60_000);
    expect(score).toMatchObject({
      evaluator_id: 'local-judge-online',
      evaluator_name: 'is-correct',
      evaluator_version: 1,
      value: 0.8,
      passed: true,
      explanation: 'Correct and complete.',
      status: 'ok',
      source: 'online',
    });
    expect(score?.cost).toBeGreaterThan(0);
    // The judge's own model event is the one the score names.
    const judged = await eventually(async () => {
      const body = await api.export({
        filters: [{ field: 'source', operator: 'is', value: 'waggle-judge', type: 'string' }],
      });
      return body.events.find((found) => found.event_id === score?.judge_event_id);
    });
    expect(judged.metadata).toMatchObject({ evaluated_event_id: eventId });
  }, 90_000);
});
