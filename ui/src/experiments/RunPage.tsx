import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { type JSX, useId, useState } from 'react';
import type { AggregateFunction, ExperimentResult, RunWire } from '../api/experiments';
import { useApp, useTarget } from '../app/context';
import { useTitle } from '../app/title';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatCount, formatTime } from '../components/format';
import { usePaging } from '../components/paging';
import { DataTable, Pager } from '../components/Table';
import { shortJson } from '../datasets/json-text';
import { useDatasets, useRuns } from '../datasets/queries';
import { AggregatePicker } from './AggregatePicker';
import { BackToRuns } from './BackToRuns';
import { isRunning, RunStatus, Verdict } from './RunStatus';
import {
  datapointKey,
  datapointMetric,
  type MetricKey,
  metricKeys,
  metricLabel,
  metricWhere,
  passRate,
  valueText,
} from './result-view';
import { isServerSide, ServerRun } from './ServerRun';
import './experiments.css';

const route = getRouteApi('/signed-in/projects/$projectId/runs/$runId');

/** How often a pending run and its result are read again. */
const PENDING_REFRESH_MS = 5_000;
/** Reads of a result that lacks some of the run's sessions (2 minutes' worth) before waiting for Refresh. */
const MISSING_SESSION_READS = 24;

/** Query key of a run's result, by aggregate function. */
export const resultKey = (
  dataPlaneId: string,
  projectId: string,
  runId: string,
  aggregate: AggregateFunction,
) => ['run-result', dataPlaneId, projectId, runId, aggregate] as const;

/**
 * One run's result (`GET /v1/runs/{id}/result`): each metric's aggregate with its passes and fails,
 * and per datapoint its verdict, its metric values and its output, with a link to its session. From
 * here the run is compared with another.
 */
export function RunPage(): JSX.Element {
  const { projectId, runId } = route.useParams();
  const { aggregate = 'average' } = route.useSearch();
  const navigate = route.useNavigate();
  const { api } = useApp();
  const target = useTarget(projectId);
  // A run still going (pending, running) is read again every few seconds: its sessions arrive as it runs.
  const run = useQuery({
    queryKey: ['run', target.dataPlaneId, target.projectId, runId],
    queryFn: async () => (await api.getRun(target, runId)).evaluation,
    refetchInterval: (query) => (isRunning(query.state.data?.status) ? PENDING_REFRESH_MS : false),
  });
  const result = useQuery({
    queryKey: resultKey(target.dataPlaneId, target.projectId, runId, aggregate),
    queryFn: () => api.runResult(target, runId, aggregate),
    // Also, for a while, when the run lists sessions the result does not have yet (still being stored).
    refetchInterval: (query) =>
      isRunning(run.data?.status) ||
      (run.data !== undefined &&
        (query.state.data?.datapoints.length ?? 0) < run.data.event_ids.length &&
        query.state.dataUpdateCount < MISSING_SESSION_READS)
        ? PENDING_REFRESH_MS
        : false,
  });
  useTitle(run.data ? `Run ${run.data.name}` : 'Run');
  return (
    <>
      <BackToRuns projectId={projectId} />
      <ErrorMessage error={run.error} title="Could not load the run" />
      {run.isLoading ? (
        <p className="muted" role="status">
          Loading run…
        </p>
      ) : null}
      {run.data ? <RunHead run={run.data} projectId={projectId} /> : null}
      {run.data && isServerSide(run.data) ? <ServerRun target={target} run={run.data} /> : null}
      <div className="row run-tools">
        <AggregatePicker
          value={aggregate}
          onChange={(next) =>
            void navigate({ search: next === 'average' ? {} : { aggregate: next }, replace: true })
          }
        />
        {run.data ? <CompareWith run={run.data} projectId={projectId} aggregate={aggregate} /> : null}
        <span className="grow" />
        <button
          type="button"
          className="secondary"
          disabled={result.isFetching}
          onClick={() => void result.refetch()}
        >
          Refresh
        </button>
      </div>
      <ErrorMessage error={result.error} title="Could not load the run's result" />
      {result.isLoading ? (
        <p className="muted" role="status">
          Loading results…
        </p>
      ) : null}
      {result.data ? <Result result={result.data} projectId={projectId} aggregate={aggregate} /> : null}
    </>
  );
}

function RunHead({ run, projectId }: { run: RunWire; projectId: string }): JSX.Element {
  const datasets = useDatasets(useTarget(projectId), run.dataset_id !== null);
  const dataset = datasets.data?.find((candidate) => candidate._id === run.dataset_id);
  return (
    <>
      <div className="page-head">
        <h1>{run.name}</h1>
        <RunStatus status={run.status} />
      </div>
      <dl className="run-facts">
        <div>
          <dt>Started</dt>
          <dd>{formatTime(Date.parse(run.created_at))}</dd>
        </div>
        <div>
          <dt>Dataset</dt>
          <dd>
            {run.dataset_id ? (
              <Link
                to="/projects/$projectId/datasets/$datasetId"
                params={{ projectId, datasetId: run.dataset_id }}
              >
                {dataset?.name ?? run.dataset_id}
              </Link>
            ) : (
              'inline datapoints'
            )}
            {run.dataset_id && typeof run.dataset_version === 'number'
              ? ` (version ${run.dataset_version})`
              : null}
          </dd>
        </div>
        <div>
          <dt>Datapoints</dt>
          <dd>{formatCount(run.datapoint_ids.length)}</dd>
        </div>
        <div>
          <dt>Sessions</dt>
          <dd>{formatCount(run.event_ids.length)}</dd>
        </div>
        <div>
          <dt>Run ID</dt>
          <dd>
            <code>{run.run_id}</code>
          </dd>
        </div>
      </dl>
    </>
  );
}

/** Another run of the project to compare this one with (the newer one reads against the older). */
function CompareWith({
  run,
  projectId,
  aggregate,
}: {
  run: RunWire;
  projectId: string;
  aggregate: AggregateFunction;
}): JSX.Element | null {
  const runs = useRuns(useTarget(projectId));
  const selectId = useId();
  const others = (runs.data ?? []).filter((other) => other.run_id !== run.run_id);
  const [chosen, setChosen] = useState('');
  const other = others.find((candidate) => candidate.run_id === chosen) ?? others[0];
  if (!other) return null;
  const older = Date.parse(other.created_at) <= Date.parse(run.created_at);
  return (
    <span className="inline-field">
      <label htmlFor={selectId}>Compare with</label>
      <select id={selectId} value={other.run_id} onChange={(event) => setChosen(event.target.value)}>
        {others.map((candidate) => (
          <option key={candidate.run_id} value={candidate.run_id}>
            {candidate.name} ({formatTime(Date.parse(candidate.created_at))})
          </option>
        ))}
      </select>
      <Link
        className="button-link"
        to="/projects/$projectId/runs/$runId/compare/$oldRunId"
        params={{
          projectId,
          runId: older ? run.run_id : other.run_id,
          oldRunId: older ? other.run_id : run.run_id,
        }}
        search={aggregate === 'average' ? {} : { aggregate }}
      >
        Compare
      </Link>
    </span>
  );
}

function Result({
  result,
  projectId,
  aggregate,
}: {
  result: ExperimentResult;
  projectId: string;
  aggregate: AggregateFunction;
}): JSX.Element {
  const keys = metricKeys(result.metrics.details);
  const rate = passRate(result.passed.length, result.failed.length);
  return (
    <>
      <p className="run-summary" data-testid="run-summary">
        <span className="verdict pass">{formatCount(result.passed.length)} passed</span> ·{' '}
        <span className="verdict fail">{formatCount(result.failed.length)} failed</span>
        {rate !== undefined ? (
          <span className="muted"> · {valueText(Math.round(rate * 10) / 10)}% pass rate</span>
        ) : null}
      </p>
      {result.truncated ? (
        <p className="bad small" role="note">
          This run has more events than one read returns: the result covers part of it.
        </p>
      ) : null}
      <section className="card stack" aria-label="Metrics">
        <h2>Metrics</h2>
        {keys.length === 0 ? (
          <p className="muted small" data-testid="no-metrics">
            No metrics on this run's sessions yet: evaluators write them on each datapoint's session.
          </p>
        ) : (
          <DataTable
            testId="run-metrics"
            caption="Metrics"
            columns={[
              'Metric',
              'Recorded on',
              'Type',
              { label: `Aggregate (${aggregate})`, numeric: true },
              { label: 'Passed', numeric: true },
              { label: 'Failed', numeric: true },
            ]}
          >
            {result.metrics.details.map((detail) => (
              <tr key={`${detail.metric_name}\n${detail.event_type}\n${detail.event_name}`}>
                <th scope="row">{detail.metric_name}</th>
                <td>{metricWhere(detail)}</td>
                <td>{detail.metric_type}</td>
                <td className="num">{valueText(detail.aggregate)}</td>
                <td className="num">{formatCount(detail.datapoints.passed.length)}</td>
                <td className="num">{formatCount(detail.datapoints.failed.length)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      <section className="card stack" aria-label="Datapoints">
        <h2>Datapoints</h2>
        {result.datapoints.length === 0 ? (
          <p className="muted small" data-testid="no-run-datapoints">
            No sessions of this run are stored yet: each datapoint's session carries the run's id in its
            metadata, and shows here once it is ingested.
          </p>
        ) : (
          <DatapointResults result={result} keys={keys} projectId={projectId} />
        )}
      </section>
    </>
  );
}

function DatapointResults({
  result,
  keys,
  projectId,
}: {
  result: ExperimentResult;
  keys: MetricKey[];
  projectId: string;
}): JSX.Element {
  const paging = usePaging(result.datapoints);
  return (
    <>
      <DataTable
        testId="run-datapoints"
        caption="Datapoints"
        columns={[
          'Datapoint',
          'Result',
          ...keys.map((key) => ({ label: metricLabel(key, keys), numeric: true })),
          'Output',
          'Session',
        ]}
      >
        {paging.shown.map((datapoint) => (
          <tr key={datapointKey(datapoint)}>
            <th scope="row">
              <code title={datapointKey(datapoint)}>{datapointKey(datapoint).slice(0, 8)}</code>
            </th>
            <td>
              <Verdict passed={datapoint.passed} />
              {datapoint.error ? <span className="bad small"> error: {datapoint.error}</span> : null}
            </td>
            {keys.map((key) => {
              const value = datapointMetric(datapoint, key);
              return (
                <td key={`${key.metric_name}\n${key.event_type}\n${key.event_name}`} className="num">
                  {valueText(value?.value)}
                  {value?.passed === false ? <span className="bad"> ✗</span> : null}
                  {value?.passed === true ? <span className="good"> ✓</span> : null}
                </td>
              );
            })}
            <td className="json-cell">
              <code>{shortJson(datapoint.outputs, 100)}</code>
            </td>
            <td>
              <Link
                to="/projects/$projectId/sessions/$sessionId"
                params={{ projectId, sessionId: datapoint.session_id }}
                aria-label={`Session of datapoint ${datapointKey(datapoint).slice(0, 8)}`}
              >
                Open
              </Link>
            </td>
          </tr>
        ))}
      </DataTable>
      {paging.paged ? <Pager {...paging.pager} noun="datapoints" /> : null}
    </>
  );
}
