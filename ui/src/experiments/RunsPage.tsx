import { getRouteApi, Link } from '@tanstack/react-router';
import { type JSX, useState } from 'react';
import type { RunWire } from '../api/experiments';
import { atLeast, useProjectRole, useTarget } from '../app/context';
import { useTitle } from '../app/title';
import { formatCount, formatTime } from '../components/format';
import { DataTable } from '../components/Table';
import { useDatasets, useRuns } from '../datasets/queries';
import { NewExperiment } from './NewExperiment';
import { RunStatus } from './RunStatus';
import './experiments.css';
import { QueryList } from '../components/QueryList';

const route = getRouteApi('/signed-in/projects/$projectId/runs');

/** The newer of two runs first: a comparison reads the newer against the older. */
export function newerFirst(a: RunWire, b: RunWire): [RunWire, RunWire] {
  return Date.parse(a.created_at) >= Date.parse(b.created_at) ? [a, b] : [b, a];
}

/**
 * The project's experiment runs (HoneyHive's evaluations, `GET /v1/runs`), newest first: name, status,
 * dataset, datapoints and sessions. Each opens its result; two picked are compared side by side.
 */
export function RunsPage(): JSX.Element {
  const { projectId } = route.useParams();
  const navigate = route.useNavigate();
  const target = useTarget(projectId);
  const { role } = useProjectRole(projectId);
  const [creating, setCreating] = useState(false);
  useTitle('Experiments');
  const runs = useRuns(target);
  const datasets = useDatasets(target);
  const names = new Map((datasets.data ?? []).map((dataset) => [dataset._id, dataset.name]));
  const [picked, setPicked] = useState<readonly string[]>([]);
  const list = runs.data ?? [];
  const pickedRuns = list.filter((run) => picked.includes(run.run_id));
  const toggle = (id: string) =>
    setPicked((previous) =>
      previous.includes(id) ? previous.filter((other) => other !== id) : [...previous, id].slice(-2),
    );
  const compare = () => {
    const [first, second] = pickedRuns;
    if (!first || !second) return;
    const [newer, older] = newerFirst(first, second);
    void navigate({
      to: '/projects/$projectId/runs/$runId/compare/$oldRunId',
      params: { projectId, runId: newer.run_id, oldRunId: older.run_id },
    });
  };
  return (
    <>
      <div className="page-head">
        <h1>Experiments</h1>
        {atLeast(role, 'member') ? (
          <button type="button" disabled={creating} onClick={() => setCreating(true)}>
            New experiment
          </button>
        ) : null}
        <button type="button" className="secondary" disabled={pickedRuns.length !== 2} onClick={compare}>
          Compare selected
        </button>
        <span className="muted small" role="status">
          {pickedRuns.length === 2
            ? `${pickedRuns[0]?.name} and ${pickedRuns[1]?.name} picked`
            : 'Pick two runs to compare them.'}
        </span>
        <span className="grow" />
        <button
          type="button"
          className="secondary"
          disabled={runs.isFetching}
          onClick={() => void runs.refetch()}
        >
          Refresh
        </button>
      </div>
      {creating ? (
        <NewExperiment
          target={target}
          onClose={() => setCreating(false)}
          onStarted={(runId) =>
            void navigate({ to: '/projects/$projectId/runs/$runId', params: { projectId, runId } })
          }
        />
      ) : null}
      <QueryList
        query={runs}
        what="runs"
        empty={
          <p className="muted card" data-testid="no-runs">
            No experiment runs yet. A run is your application over a dataset's datapoints, each traced as a
            session and scored by evaluators: start one here (<strong>New experiment</strong>: a saved
            configuration or an HTTP endpoint over a dataset, run by the platform) or with{' '}
            <code>evaluate()</code> in the SDK (or HoneyHive's client), and its results show here.
          </p>
        }
      >
        {(rows) => (
          <DataTable
            testId="runs-table"
            caption="Experiment runs"
            columns={[
              { label: 'Compare', hidden: true },
              'Name',
              'Status',
              'Dataset',
              { label: 'Datapoints', numeric: true },
              { label: 'Sessions', numeric: true },
              'Started',
            ]}
          >
            {rows.map((run) => (
              <tr key={run.run_id} aria-current={picked.includes(run.run_id) ? 'true' : undefined}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Pick ${run.name} to compare`}
                    checked={picked.includes(run.run_id)}
                    onChange={() => toggle(run.run_id)}
                  />
                </td>
                <th scope="row">
                  <Link to="/projects/$projectId/runs/$runId" params={{ projectId, runId: run.run_id }}>
                    {run.name}
                  </Link>
                </th>
                <td>
                  <RunStatus status={run.status} />
                </td>
                <td>
                  {run.dataset_id ? (
                    <Link
                      to="/projects/$projectId/datasets/$datasetId"
                      params={{ projectId, datasetId: run.dataset_id }}
                    >
                      {names.get(run.dataset_id) ?? run.dataset_id}
                    </Link>
                  ) : (
                    <span className="muted">inline</span>
                  )}
                </td>
                <td className="num">{formatCount(run.datapoint_ids.length)}</td>
                <td className="num">{formatCount(run.event_ids.length)}</td>
                <td>{formatTime(Date.parse(run.created_at))}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryList>
    </>
  );
}
