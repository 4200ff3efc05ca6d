/**
 * Backfills on the local platform, through the HTTP API: an estimate, a refusal over the cap, then a
 * run (the workflow's definition in the local ASL interpreter) that scores the stored events its
 * evaluator selects, and only those, into their `metrics`; bad requests get clear errors and start
 * nothing; another project cannot read a run.
 */
import { describe, expect, it } from 'vitest';
import { evaluatorDefinition } from '../support/evaluator-definition';
import { eventually, readApi } from '../support/read-api-client';
import { platformForFile } from '../support/temp-platform';

const local = platformForFile('waggle-backfills-', {
  writer: { maximumBatchingWindowMs: 100, visibilityTimeoutMs: 2_000 },
});

describe('backfills on the local platform', () => {
  it('estimates, refuses over the cap, then scores the stored matching events only', async () => {
    const api = readApi(local.platform.url, local.platform.apiKey);
    const before = Date.now() - 1_000;
    const session = 'backfill-1';
    const chats = [
      await api.sendEvent({
        event_type: 'model',
        event_name: 'chat',
        session_id: session,
        outputs: { content: 'hello' },
      }),
      await api.sendEvent({
        event_type: 'model',
        event_name: 'chat',
        session_id: session,
        outputs: { content: 'hi there' },
      }),
    ];
    const other = await api.sendEvent({
      event_type: 'tool',
      event_name: 'chat',
      session_id: session,
      outputs: { content: 'x' },
    });
    const inSession = [{ field: 'session_id', operator: 'is', value: session, type: 'string' }];
    await eventually(
      async () => ((await api.export({ filters: inSession })).events.length === 3 ? true : undefined),
      30_000,
    );

    // Not enabled online: a backfill runs it all the same, on the model events named chat.
    local.platform.evaluators.put(
      evaluatorDefinition({
        id: 'answer-length',
        projectId: local.platform.projectId,
        name: 'answer_length',
        enabledInProd: false,
        eventType: 'model',
        eventName: 'chat',
        codeSnippet: 'def answer_length(event):\n    return len(event["outputs"].get("content", ""))\n',
      }),
    );
    const range = { start_time: before, end_time: Date.now() + 60_000, filters: inSession };
    const estimate = await api.post('/v1/backfills/estimate', { metric_id: 'answer-length', ...range });
    expect(estimate.status, await estimate.clone().text()).toBe(200);
    expect(await estimate.json()).toMatchObject({ matching_events: 2, events: 2, within_caps: true });

    const refused = await api.post('/v1/backfills', { metric_id: 'answer-length', ...range, max_events: 1 });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/above max_events 1/);

    const started = await api.post('/v1/backfills', { metric_id: 'answer-length', ...range });
    expect(started.status, await started.clone().text()).toBe(202);
    const { backfill_id: backfillId } = (await started.json()) as { backfill_id: string };
    const done = await eventually(async () => {
      const response = await api.request('GET', `/v1/backfills/${backfillId}`);
      const state = (await response.json()) as { status: string };
      return state.status === 'RUNNING' ? undefined : state;
    }, 60_000);
    expect(done).toMatchObject({
      status: 'SUCCEEDED',
      totals: { events: 2, batches: 1, scored: 2, errors: 0 },
      run: { evaluator_id: 'answer-length', evaluator_version: 1 },
    });

    const scored = await eventually(async () => {
      const { events } = await api.export({ filters: inSession });
      return events.filter((event) => (event.metrics as Record<string, unknown>).answer_length !== undefined)
        .length === 2
        ? events
        : undefined;
    }, 30_000);
    const metricsOf = (id: string) => scored.find((event) => event.event_id === id)?.metrics;
    expect(metricsOf(chats[0] as string)).toEqual({ answer_length: 5 });
    expect(metricsOf(chats[1] as string)).toEqual({ answer_length: 8 });
    expect(metricsOf(other)).toEqual({});

    // The scores table keeps each evaluation with its version and source (GET /v1/events/{id}/scores).
    const history = await eventually(async () => {
      const response = await api.request('GET', `/v1/events/${chats[0]}/scores`);
      const body = (await response.json()) as { scores: Record<string, unknown>[] };
      return body.scores.length > 0 ? body.scores : undefined;
    }, 30_000);
    expect(history).toEqual([
      expect.objectContaining({
        evaluator_id: 'answer-length',
        evaluator_name: 'answer_length',
        evaluator_version: 1,
        value: 5,
        status: 'ok',
        source: `backfill:${backfillId}`,
      }),
    ]);
    expect((await api.request('GET', '/v1/events/no-such-event/scores')).status).toBe(404);

    // A finished run cannot be redriven.
    const redrive = await api.post(`/v1/backfills/${backfillId}/redrive`, {});
    expect(redrive.status).toBe(409);
  }, 120_000);

  it('refuses bad requests with a clear error and starts nothing', async () => {
    const api = readApi(local.platform.url, local.platform.apiKey);
    local.platform.evaluators.put(
      evaluatorDefinition({
        id: 'reviewed',
        projectId: local.platform.projectId,
        name: 'reviewed',
        type: 'human',
      }),
    );
    const range = { start_time: 0, end_time: 86_400_000 };
    const cases: [unknown, number, RegExp][] = [
      [{ ...range }, 400, /metric_id is required/],
      [{ metric_id: 'nope', ...range }, 404, /no metric nope/],
      [{ metric_id: 'reviewed', ...range }, 400, /human metric/],
      [{ metric_id: 'answer-length', start_time: 10, end_time: 5 }, 400, /end_time must be after/],
      [{ metric_id: 'answer-length', start_time: 0, end_time: 400 * 86_400_000 }, 400, /at most 366 days/],
      [{ metric_id: 'answer-length', ...range, max_events: 1e9 }, 400, /max_events must be/],
      [{ metric_id: 'answer-length', ...range, sampling_percentage: -1 }, 400, /sampling_percentage/],
      [{ metric_id: 'answer-length', ...range, surprise: 1 }, 400, /unknown fields: surprise/],
      [
        { metric_id: 'answer-length', ...range, filters: [{ field: 'x;drop', operator: 'is', value: 1 }] },
        400,
        /filters/,
      ],
      [[1, 2], 400, /JSON object/],
    ];
    for (const [body, status, message] of cases) {
      const response = await api.post('/v1/backfills', body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(await response.text(), JSON.stringify(body)).toMatch(message);
    }
    for (const id of ['bf_nope_abcdefg', '..%2F..%2Fetc', 'x'.repeat(300)]) {
      const response = await api.request('GET', `/v1/backfills/${id}`);
      expect(response.status, id).toBe(404);
    }
    const noKey = await fetch(`${local.platform.url}/v1/backfills/estimate`, { method: 'POST', body: '{}' });
    expect(noKey.status).toBe(401);
  }, 60_000);
});
