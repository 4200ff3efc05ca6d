/**
 * An event's metric values, each coloured pass (green) or fail (red) with the words "Pass" / "Fail"
 * beside it (never colour alone) when the project has a metric of that name whose threshold or
 * pass_when gives a verdict (verdict.ts). The project's metrics come from `GET /v1/metrics` when the
 * detail is shown inside the console (its query cache and app context are there); rendered on its
 * own (a test, another host) the values are shown without verdicts.
 */
import { QueryClientContext, useQuery } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { type JSX, useContext } from 'react';
import type { MetricWire } from '../api/client';
import { useApp, useTarget } from '../app/context';
import { Value } from '../event/Value';
import { ruleText, type Verdict, verdictOf } from './verdict';

export type MetricRules = ReadonlyMap<string, MetricWire>;

/** The project's metrics by name: shared with the Evaluators page through the query key. */
export function metricsQueryKey(dataPlaneId: string, projectId: string) {
  return ['metrics', dataPlaneId, projectId] as const;
}

/** The metrics section's body: with the project's rules when the console's context is there. */
export function EventMetrics({
  metrics,
  projectId,
}: {
  metrics: Record<string, unknown>;
  projectId: string | undefined;
}): JSX.Element {
  const client = useContext(QueryClientContext);
  if (!client) return <MetricScores metrics={metrics} />;
  return <ProjectMetricScores metrics={metrics} projectId={projectId} />;
}

function ProjectMetricScores({
  metrics,
  projectId,
}: {
  metrics: Record<string, unknown>;
  projectId: string | undefined;
}): JSX.Element {
  const params = useParams({ strict: false });
  const project = params.projectId ?? projectId ?? '';
  const { api } = useApp();
  const target = useTarget(project);
  const rules = useQuery({
    queryKey: metricsQueryKey(target.dataPlaneId, target.projectId),
    queryFn: () => api.listMetrics(target),
    enabled: project !== '',
    staleTime: 30_000,
    // Without the metrics (an older data plane, no access) the values show without verdicts.
    retry: false,
  });
  return <MetricScores metrics={metrics} rules={rulesByName(rules.data)} />;
}

export function rulesByName(list: readonly MetricWire[] | undefined): MetricRules {
  return new Map((list ?? []).map((metric) => [metric.name, metric]));
}

const LABELS: Record<Verdict, string> = { pass: 'Pass', fail: 'Fail' };

/** Each value; a verdict badge where a rule of the same name gives one. */
export function MetricScores({
  metrics,
  rules,
}: {
  metrics: Record<string, unknown>;
  rules?: MetricRules;
}): JSX.Element {
  return (
    <dl className="wg-keyvalues wg-scores">
      {Object.entries(metrics).map(([name, value]) => {
        const rule = rules?.get(name);
        const verdict = verdictOf(rule, value);
        const why = rule ? ruleText(rule) : undefined;
        return (
          <div key={name} className={`wg-keyvalue wg-score${verdict ? ` wg-score-${verdict}` : ''}`}>
            <dt>{name}</dt>
            <dd>
              <Value value={value} />
              {verdict ? (
                <span className={`wg-verdict wg-verdict-${verdict}`} title={why} data-testid="metric-verdict">
                  <span aria-hidden="true">{verdict === 'pass' ? '✓' : '✗'}</span> {LABELS[verdict]}
                  {why ? <span className="wg-verdict-rule"> ({why})</span> : null}
                </span>
              ) : null}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
