/** The paper cost of a server-side experiment (bench/experiments/experiment-cost.ts): counted from the workflow's constants. */
import { describe, expect, it } from 'vitest';
import { EXPERIMENT_COST_BAR_USD, experimentCost } from '../../../bench/experiments/experiment-cost';
import { MAX_RUN_IDS } from '../../../lambdas/domain/experiments/runs';
import { EXPERIMENT_BATCH_SIZE } from '../../../lambdas/domain/experiments/server/request';

const total = (lines: ReturnType<typeof experimentCost>) => lines.reduce((sum, line) => sum + line.usd, 0);

describe('experimentCost', () => {
  it('counts two transitions per batch and four per run, a run holding at most MAX_RUN_IDS datapoints', () => {
    const [transitions] = experimentCost({
      datapoints: 10_000,
      metrics: 3,
      metricKind: 'python',
      providerLatencyS: 1,
    });
    const runs = Math.ceil(10_000 / MAX_RUN_IDS);
    expect(transitions?.count).toBe(runs * 4 + (10_000 / EXPERIMENT_BATCH_SIZE) * 2);
  });

  it('stays under the bar for 10,000 x 3 with Python metrics and with judges at 1 s, and grows with the latency', () => {
    const python = total(
      experimentCost({ datapoints: 10_000, metrics: 3, metricKind: 'python', providerLatencyS: 1 }),
    );
    const judges = total(
      experimentCost({ datapoints: 10_000, metrics: 3, metricKind: 'judge', providerLatencyS: 1 }),
    );
    expect(python).toBeLessThanOrEqual(EXPERIMENT_COST_BAR_USD);
    expect(judges).toBeLessThanOrEqual(EXPERIMENT_COST_BAR_USD);
    expect(judges).toBeGreaterThan(python);
    const slow = total(
      experimentCost({ datapoints: 10_000, metrics: 3, metricKind: 'judge', providerLatencyS: 5 }),
    );
    expect(slow).toBeGreaterThan(EXPERIMENT_COST_BAR_USD);
  });
});
