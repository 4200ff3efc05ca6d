/**
 * Online evaluation on the local platform: an enabled Python metric for model events named "chat"
 * scores every new matching event, and only those; the score is in the event's `metrics` through the
 * read API. The evaluator goes into the platform's catalog directly (the metrics API is not served
 * yet); events come in through HoneyHive's REST intake.
 */
import { describe, expect, it } from 'vitest';
import type { EvaluatorDefinition } from '../../lambdas/domain/evaluators/evaluator';
import { eventually, readApi } from '../support/read-api-client';
import { platformForFile } from '../support/temp-platform';

const local = platformForFile('waggle-online-eval-', {
  writer: { maximumBatchingWindowMs: 100, visibilityTimeoutMs: 2_000 },
  sessionQuietSeconds: 2,
});

function metric(overrides: Partial<EvaluatorDefinition>): EvaluatorDefinition {
  return {
    id: 'answer-length',
    projectId: local.platform.projectId,
    name: 'answer_length',
    version: 1,
    type: 'custom',
    description: 'Characters in the answer',
    codeSnippet: 'def answer_length(event):\n    return len(event["outputs"].get("content", ""))\n',
    returnType: 'float',
    needsGroundTruth: false,
    enabledInProd: true,
    eventType: 'model',
    eventName: 'chat',
    samplingPercentage: 100,
    filters: [],
    createdAt: Date.now(),
    updatedAt: Date.now(),
    ...overrides,
  };
}

describe('online evaluation on the local platform', () => {
  it('scores every new matching model event, and only those, into metrics', async () => {
    local.platform.evaluators.put(metric({}));
    local.platform.evaluators.put(metric({ id: 'disabled', name: 'Disabled', enabledInProd: false }));
    const api = readApi(local.platform.url, local.platform.apiKey);
    const chat = await api.sendEvent({
      event_type: 'model',
      event_name: 'chat',
      session_id: 'online-eval-1',
      inputs: { question: 'hi' },
      outputs: { content: 'hello there' },
    });
    const otherName = await api.sendEvent({
      event_type: 'model',
      event_name: 'summarize',
      session_id: 'online-eval-1',
      outputs: { content: 'short' },
    });
    const tool = await api.sendEvent({
      event_type: 'tool',
      event_name: 'chat',
      session_id: 'online-eval-1',
      outputs: { content: 'a tool output' },
    });

    const scored = await eventually(async () => {
      const { events } = await api.export({
        filters: [{ field: 'session_id', operator: 'is', value: 'online-eval-1', type: 'string' }],
      });
      const event = events.find((candidate) => candidate.event_id === chat);
      return (event?.metrics as Record<string, unknown> | undefined)?.answer_length !== undefined
        ? events
        : undefined;
    }, 60_000);
    const metricsOf = (id: string) => scored.find((event) => event.event_id === id)?.metrics;
    expect(metricsOf(chat)).toEqual({ answer_length: 11 });
    // Give any wrong score the same time to land, then check the others have none.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const { events } = await api.export({
      filters: [{ field: 'session_id', operator: 'is', value: 'online-eval-1', type: 'string' }],
    });
    const metricsNow = (id: string) => events.find((event) => event.event_id === id)?.metrics;
    expect(metricsNow(chat)).toEqual({ answer_length: 11 });
    expect(metricsNow(otherName)).toEqual({});
    expect(metricsNow(tool)).toEqual({});
    // Readable as a filter too.
    const filtered = await api.export({
      filters: [{ field: 'metrics.answer_length', operator: 'greater than', value: 10, type: 'number' }],
    });
    expect(filtered.events.map((event) => event.event_id)).toEqual([chat]);
  }, 90_000);

  it('scores a session once it has been quiet, on its session event only', async () => {
    local.platform.evaluators.put(
      metric({
        id: 'session-question',
        name: 'question_length',
        eventType: 'session',
        eventName: undefined,
        codeSnippet: 'def question_length(event):\n    return len(event["inputs"].get("question", ""))\n',
      }),
    );
    const api = readApi(local.platform.url, local.platform.apiKey);
    const started = await api.post('/session/start', {
      session: { project: 'default', session_name: 'quiet', source: 'test', inputs: { question: 'why?' } },
    });
    expect(started.status).toBe(200);
    const sessionId = ((await started.json()) as { session_id: string }).session_id;
    const step = (name: string) =>
      api.sendEvent({
        event_type: 'model',
        event_name: name,
        session_id: sessionId,
        outputs: { content: name },
      });
    const sessionEvents = async () =>
      (
        await api.export({
          filters: [{ field: 'session_id', operator: 'is', value: sessionId, type: 'string' }],
        })
      ).events;
    // Events keep coming for longer than the quiet period's first tasks wait: those find it active.
    const steps: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      steps.push(await step(name));
      await new Promise((resolve) => setTimeout(resolve, 1_200));
    }
    const unscored = await sessionEvents();
    expect(unscored.find((event) => event.event_id === sessionId)?.metrics).toEqual({});

    const scored = await eventually(async () => {
      const events = await sessionEvents();
      const session = events.find((event) => event.event_id === sessionId);
      return (session?.metrics as Record<string, unknown> | undefined)?.question_length !== undefined
        ? events
        : undefined;
    }, 60_000);
    expect(scored.find((event) => event.event_id === sessionId)?.metrics).toEqual({ question_length: 4 });
    for (const id of steps) expect(scored.find((event) => event.event_id === id)?.metrics).toEqual({});
  }, 90_000);
});
