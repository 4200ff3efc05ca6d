import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { type JSX, useMemo, useState } from 'react';
import type { DataTarget } from '../api/client';
import type { DatapointResult, MetricComparison, RunComparison } from '../api/experiments';
import { useApp, useTarget } from '../app/context';
import { useTitle } from '../app/title';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatCount } from '../components/format';
import { DataTable } from '../components/Table';
import { AggregatePicker } from './AggregatePicker';
import { BackToRuns } from './BackToRuns';
import { OutputDiff } from './OutputDiff';
import { resultKey } from './RunPage';
import {
  CHANGE_LABELS,
  type Change,
  datapointChanges,
  datapointKey,
  datapointMetric,
  deltaOf,
  deltaText,
  metricLabel,
  metricWhere,
  valueText,
} from './result-view';
import './experiments.css';

const route = getRouteApi('/signed-in/projects/$projectId/runs/$runId/compare/$oldRunId');

/** Datapoints shown at first, and added by "Show more". */
const PAGE = 20;
const FILTERS: readonly (Change | 'all')[] = ['all', 'improved', 'regressed', 'mixed', 'same'];

/**
 * Two runs side by side (`GET /v1/runs/{new}/compare-with/{old}`): each metric's aggregate in both and
 * its change, how many common datapoints improved, regressed or stayed; then each common datapoint with
 * its metric values in both runs and both outputs diffed against its ground truth (the datapoints
 * read by id). Higher is better, as the platform compares.
 */
export function ComparePage(): JSX.Element {
  const { projectId, runId, oldRunId } = route.useParams();
  const { aggregate = 'average' } = route.useSearch();
  const navigate = route.useNavigate();
  const { api } = useApp();
  const target = useTarget(projectId);
  const comparison = useQuery({
    queryKey: ['run-compare', target.dataPlaneId, target.projectId, runId, oldRunId, aggregate],
    queryFn: () => api.compareRuns(target, runId, oldRunId, aggregate),
  });
  const newer = useQuery({
    queryKey: resultKey(target.dataPlaneId, target.projectId, runId, aggregate),
    queryFn: () => api.runResult(target, runId, aggregate),
  });
  const older = useQuery({
    queryKey: resultKey(target.dataPlaneId, target.projectId, oldRunId, aggregate),
    queryFn: () => api.runResult(target, oldRunId, aggregate),
  });
  const newName = comparison.data?.new_run?.name ?? newer.data?.run_object?.name ?? 'new run';
  const oldName = comparison.data?.old_run?.name ?? older.data?.run_object?.name ?? 'old run';
  useTitle(`Compare ${newName} with ${oldName}`);
  return (
    <>
      <BackToRuns projectId={projectId} />
      <div className="page-head">
        <h1>Compare runs</h1>
        <span>
          <Link to="/projects/$projectId/runs/$runId" params={{ projectId, runId }}>
            {newName}
          </Link>{' '}
          <span className="muted">(new) against</span>{' '}
          <Link to="/projects/$projectId/runs/$runId" params={{ projectId, runId: oldRunId }}>
            {oldName}
          </Link>{' '}
          <span className="muted">(old)</span>
        </span>
        <Link
          to="/projects/$projectId/runs/$runId/compare/$oldRunId"
          params={{ projectId, runId: oldRunId, oldRunId: runId }}
          search={aggregate === 'average' ? {} : { aggregate }}
        >
          Swap
        </Link>
        <span className="grow" />
        <AggregatePicker
          value={aggregate}
          onChange={(next) =>
            void navigate({ search: next === 'average' ? {} : { aggregate: next }, replace: true })
          }
        />
      </div>
      <ErrorMessage error={comparison.error} title="Could not compare the runs" />
      {comparison.isLoading ? (
        <p className="muted" role="status">
          Comparing…
        </p>
      ) : null}
      {comparison.data ? (
        <>
          <MetricsTable comparison={comparison.data} aggregate={aggregate} />
          <ErrorMessage error={newer.error ?? older.error} title="Could not load the runs' outputs" />
          <DatapointComparisons
            comparison={comparison.data}
            newer={newer.data?.datapoints ?? []}
            older={older.data?.datapoints ?? []}
            target={target}
            names={{ newName, oldName }}
          />
        </>
      ) : null}
    </>
  );
}

function MetricsTable({
  comparison,
  aggregate,
}: {
  comparison: RunComparison;
  aggregate: string;
}): JSX.Element {
  return (
    <section className="card stack" aria-label="Metric changes">
      <h2>Metrics</h2>
      <p className="muted small">
        Over {formatCount(comparison.commonDatapoints.length)} datapoint
        {comparison.commonDatapoints.length === 1 ? '' : 's'} both runs have; higher is better.
      </p>
      {comparison.metrics.length === 0 ? (
        <p className="muted small">Neither run has metrics yet.</p>
      ) : (
        <DataTable
          testId="compare-metrics"
          caption="Metric changes"
          columns={[
            'Metric',
            'Recorded on',
            { label: `Old (${aggregate})`, numeric: true },
            { label: `New (${aggregate})`, numeric: true },
            { label: 'Change', numeric: true },
            { label: 'Improved', numeric: true },
            { label: 'Regressed', numeric: true },
            { label: 'Unchanged', numeric: true },
          ]}
        >
          {comparison.metrics.map((metric) => (
            <MetricRow
              key={`${metric.metric_name}\n${metric.event_type}\n${metric.event_name}`}
              metric={metric}
            />
          ))}
        </DataTable>
      )}
    </section>
  );
}

function MetricRow({ metric }: { metric: MetricComparison }): JSX.Element {
  const delta = deltaOf(metric);
  const direction = delta === undefined || delta === 0 ? undefined : delta > 0 ? 'better' : 'worse';
  return (
    <tr>
      <th scope="row">{metric.metric_name}</th>
      <td>{metricWhere(metric)}</td>
      <td className="num">{valueText(metric.old_aggregate)}</td>
      <td className="num">{valueText(metric.new_aggregate)}</td>
      <td className="num">
        <span className={direction === 'better' ? 'good' : direction === 'worse' ? 'bad' : undefined}>
          {deltaText(delta)}
          {direction ? ` (${direction})` : ''}
        </span>
      </td>
      <td className="num">{formatCount(metric.improved_count)}</td>
      <td className="num">{formatCount(metric.degraded_count)}</td>
      <td className="num">{formatCount(metric.same_count)}</td>
    </tr>
  );
}

function DatapointComparisons({
  comparison,
  newer,
  older,
  target,
  names,
}: {
  comparison: RunComparison;
  newer: DatapointResult[];
  older: DatapointResult[];
  target: DataTarget;
  names: { newName: string; oldName: string };
}): JSX.Element {
  const { api } = useApp();
  const changes = useMemo(() => datapointChanges(comparison), [comparison]);
  const newById = useMemo(() => new Map(newer.map((item) => [datapointKey(item), item])), [newer]);
  const oldById = useMemo(() => new Map(older.map((item) => [datapointKey(item), item])), [older]);
  const [filter, setFilter] = useState<Change | 'all'>('all');
  const [shown, setShown] = useState(PAGE);
  const counts = new Map<Change | 'all', number>([['all', comparison.commonDatapoints.length]]);
  for (const entry of changes.values()) counts.set(entry.change, (counts.get(entry.change) ?? 0) + 1);
  const ids = comparison.commonDatapoints.filter(
    (id) => filter === 'all' || changes.get(id)?.change === filter,
  );
  // The ground truth of the datapoints shown only (a run may have thousands), read by id.
  const visible = ids.slice(0, shown);
  const groundTruth = useQuery({
    queryKey: ['datapoints-by-id', target.dataPlaneId, target.projectId, visible],
    queryFn: () => api.datapointsById(target, visible),
    enabled: visible.length > 0,
    placeholderData: keepPreviousData,
  });
  const truthById = useMemo(
    () => new Map((groundTruth.data ?? []).map((item) => [item._id, item])),
    [groundTruth.data],
  );
  return (
    <section className="card stack" aria-label="Datapoint changes">
      <h2>Datapoints</h2>
      {comparison.commonDatapoints.length === 0 ? (
        <p className="muted small" data-testid="no-common-datapoints">
          The runs have no datapoint in common: they ran over different datapoints.
        </p>
      ) : (
        <>
          <fieldset className="plain row change-filter">
            <legend className="sr-only">Show datapoints</legend>
            {FILTERS.filter((name) => name === 'all' || (counts.get(name) ?? 0) > 0).map((name) => (
              <label key={name} className="check">
                <input
                  type="radio"
                  name="change-filter"
                  checked={filter === name}
                  onChange={() => {
                    setFilter(name);
                    setShown(PAGE);
                  }}
                />
                {name === 'all' ? 'All' : CHANGE_LABELS[name]} ({counts.get(name) ?? 0})
              </label>
            ))}
          </fieldset>
          <ErrorMessage error={groundTruth.error} title="Could not load the ground truth" />
          <ul className="datapoint-changes">
            {visible.map((id) => {
              const change = changes.get(id);
              const now = newById.get(id);
              const before = oldById.get(id);
              return (
                <li
                  key={id}
                  className="card"
                  data-testid="datapoint-change"
                  aria-label={`Datapoint ${id.slice(0, 8)}`}
                >
                  <div className="row">
                    <code title={id}>{id.slice(0, 8)}</code>
                    <span className={`change change-${change?.change ?? 'same'}`}>
                      {CHANGE_LABELS[change?.change ?? 'same']}
                    </span>
                    {change && change.improved.length > 0 ? (
                      <span className="small">better: {change.improved.join(', ')}</span>
                    ) : null}
                    {change && change.regressed.length > 0 ? (
                      <span className="small">worse: {change.regressed.join(', ')}</span>
                    ) : null}
                  </div>
                  <MetricValues comparison={comparison} now={now} before={before} />
                  <OutputDiff
                    groundTruth={truthById.get(id)?.ground_truth}
                    loading={groundTruth.isFetching && !truthById.has(id)}
                    outputs={[
                      { label: `Old: ${names.oldName}`, value: before?.outputs },
                      { label: `New: ${names.newName}`, value: now?.outputs },
                    ]}
                  />
                </li>
              );
            })}
          </ul>
          {ids.length > shown ? (
            <button type="button" className="secondary" onClick={() => setShown(shown + PAGE)}>
              Show {Math.min(PAGE, ids.length - shown)} more of {ids.length - shown}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}

function MetricValues({
  comparison,
  now,
  before,
}: {
  comparison: RunComparison;
  now: DatapointResult | undefined;
  before: DatapointResult | undefined;
}): JSX.Element | null {
  if (comparison.metrics.length === 0) return null;
  return (
    <dl className="metric-values">
      {comparison.metrics.map((metric) => {
        const previous = before ? datapointMetric(before, metric) : undefined;
        const next = now ? datapointMetric(now, metric) : undefined;
        return (
          <div key={`${metric.metric_name}\n${metric.event_type}\n${metric.event_name}`}>
            <dt>{metricLabel(metric, comparison.metrics)}</dt>
            <dd>
              {valueText(previous?.value)} → {valueText(next?.value)}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
