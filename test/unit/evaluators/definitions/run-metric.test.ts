/**
 * run_metric's rules with stand-in runners: a given or stored metric, a given or stored event, what
 * cannot run here (human metrics, judges without a judge runner) refused, a composite over the
 * project's stored children, a failing sandbox answered as retryable, the metric's own failure as an
 * error score.
 */
import { describe, expect, it } from 'vitest';
import { UnavailableError, ValidationError } from '../../../../lambdas/domain/errors';
import { createSyncedEvaluatorCatalog } from '../../../../lambdas/domain/evaluators/definitions/catalog';
import { readCreateMetricInput } from '../../../../lambdas/domain/evaluators/definitions/metric-input';
import { createMetric } from '../../../../lambdas/domain/evaluators/definitions/metrics';
import { eventFromPayload, runMetric } from '../../../../lambdas/domain/evaluators/definitions/run-metric';
import type { CodeMetricRunner, EvaluationInput } from '../../../../lambdas/domain/evaluators/evaluator';
import { entityChangeOf } from '../../../../lambdas/domain/sync/control-plane-changes';
import { PROJECT, world } from '../../configurations/fixtures';
import { dataPlane, body as signed } from '../../sync/fixtures';

const TENANT = { org_id: PROJECT.org_id, workspace_id: PROJECT.workspace_id, project_id: PROJECT.id };
const CODE = 'def words(event):\n    return len(event["outputs"]["content"].split())\n';

/** Counts words of outputs.content, as the snippet would; fails as the sandbox would when asked. */
function fakeCode(seen: EvaluationInput[] = []): CodeMetricRunner {
  return {
    async run({ input, code }) {
      seen.push(input);
      if (code.includes('sandbox-down'))
        return { status: 'error', error: { kind: 'sandbox-error', message: 'no process' }, durationMs: 1 };
      if (code.includes('raise'))
        return { status: 'error', error: { kind: 'code-error', message: 'ValueError' }, durationMs: 1 };
      return { status: 'ok', value: String(input.outputs.content ?? '').split(/\s+/).length, durationMs: 1 };
    },
  };
}

async function setup() {
  const cp = await world();
  const dp = dataPlane();
  const stored = await createMetric(
    cp.context,
    PROJECT,
    readCreateMetricInput({ name: 'words', type: 'custom', code_snippet: CODE, threshold: { min: 2 } })
      .content,
  );
  await createMetric(
    cp.context,
    PROJECT,
    readCreateMetricInput({
      name: 'quality',
      type: 'composite',
      return_type: 'float',
      child_metrics: [{ name: 'words', weight: 1 }],
    }).content,
  );
  for (const change of cp.changes.published) await dp.controller.handle(await signed(entityChangeOf(change)));
  const event = eventFromPayload(TENANT, { event_id: 'e1', outputs: { content: 'one two three' } });
  const seen: EvaluationInput[] = [];
  const deps = {
    catalog: createSyncedEvaluatorCatalog({ configStore: dp.configStore }),
    readEvent: async (_tenant: unknown, id: string) => (id === 'e1' ? event : undefined),
    code: fakeCode(seen),
  };
  return { stored, deps, seen };
}

describe('run_metric', () => {
  it('runs a stored metric on a stored event, threshold applied', async () => {
    const { stored, deps, seen } = await setup();
    const result = await runMetric(TENANT, { metric_id: stored.id, event_id: 'e1' }, deps, 'r1');
    expect(result).toMatchObject({
      metric: { id: stored.id, name: 'words', version: 1, type: 'custom' },
      event_id: 'e1',
      status: 'ok',
      score: 3,
      passed: true,
      error: null,
    });
    expect(seen[0]).toMatchObject({ event_id: 'e1', outputs: { content: 'one two three' } });
  });

  it('runs a given metric on a given event, with its ground truth', async () => {
    const { deps, seen } = await setup();
    const result = await runMetric(
      TENANT,
      {
        metric: { name: 'adhoc', type: 'PYTHON', criteria: CODE, needs_ground_truth: true },
        event: { outputs: { content: 'a b' }, ground_truth: { answer: 'a' } },
      },
      deps,
      'r2',
    );
    expect(result).toMatchObject({ metric: { name: 'adhoc' }, score: 2, status: 'ok' });
    expect(result.metric.id).toBeUndefined();
    expect(seen[0]?.ground_truth).toEqual({ answer: 'a' });
  });

  it('runs a composite over the stored children', async () => {
    const { deps } = await setup();
    const result = await runMetric(
      TENANT,
      {
        metric: { name: 'q', type: 'composite', child_metrics: [{ name: 'words', weight: 2 }] },
        event_id: 'e1',
      },
      deps,
      'r3',
    );
    expect(result).toMatchObject({ status: 'ok', score: 3 });
  });

  it("answers the metric's own failure as an error score, a sandbox failure as retryable", async () => {
    const { deps } = await setup();
    const raising = await runMetric(
      TENANT,
      {
        metric: { name: 'r', type: 'custom', code_snippet: 'def f(e):\n    raise ValueError()\n' },
        event: {},
      },
      deps,
      'r4',
    );
    expect(raising).toMatchObject({ status: 'error', score: null, error: 'code-error: ValueError' });
    await expect(
      runMetric(
        TENANT,
        {
          metric: { name: 's', type: 'custom', code_snippet: 'def f(e):\n    return 1  # sandbox-down\n' },
          event: {},
        },
        deps,
        'r5',
      ),
    ).rejects.toThrow(UnavailableError);
  });

  it('refuses what cannot run here, and unknown metrics and events', async () => {
    const { stored, deps } = await setup();
    const judge = {
      name: 'j',
      type: 'model',
      prompt: 'Rate {{outputs}}',
      model_provider: 'openai',
      model_name: 'gpt-4o',
    };
    await expect(runMetric(TENANT, { metric: judge, event: {} }, deps, 'r')).rejects.toThrow(
      /no judge runner is configured/,
    );
    await expect(
      runMetric(TENANT, { metric: { name: 'h', type: 'human' }, event: {} }, deps, 'r'),
    ).rejects.toThrow(/reviewers/);
    await expect(runMetric(TENANT, { metric_id: 'nope', event: {} }, deps, 'r')).rejects.toThrow(
      /No metric nope/,
    );
    await expect(runMetric(TENANT, { metric_id: stored.id, event_id: 'nope' }, deps, 'r')).rejects.toThrow(
      /No event nope/,
    );
    await expect(
      runMetric({ ...TENANT, project_id: 'proj-2' }, { metric_id: stored.id, event: {} }, deps, 'r'),
    ).rejects.toThrow(/No metric/);
    for (const body of [
      { event: {} },
      { metric_id: stored.id },
      { metric_id: stored.id, metric: { name: 'x', type: 'human' }, event: {} },
      { metric_id: stored.id, event: { inputs: 'text' } },
      { metric_id: stored.id, event: { event_type: 'span' } },
      { metric_id: stored.id, event: {}, extra: 1 },
    ])
      await expect(runMetric(TENANT, body, deps, 'r')).rejects.toThrow(ValidationError);
  });
});
