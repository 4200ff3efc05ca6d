/**
 * A server-side run's workflow on its run's page (`GET /v1/experiments/{run_id}`): what it runs, the
 * execution's status, its batches and datapoints (answered, refused by the target, never answered),
 * the error it failed with; a failed run's failed datapoints are run again with **Redrive**
 * (`POST /v1/experiments/{run_id}/redrive`, members and above).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type JSX, useEffect, useId } from 'react';
import type { DataTarget } from '../api/client';
import type { RunWire } from '../api/experiments';
import { atLeast, useApp, useProjectRole } from '../app/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatCount, formatDuration, formatTime } from '../components/format';
import { isJsonRecord } from '../datasets/json-text';

/** How often a running workflow is read again. */
const RUNNING_REFRESH_MS = 3_000;
const EXECUTION_WORDS: Record<string, string> = {
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  TIMED_OUT: 'Timed out',
  ABORTED: 'Stopped',
  PENDING_REDRIVE: 'Redrive starting',
};

/** A run started with `POST /v1/experiments` says so in its metadata (`server_side`). */
export function isServerSide(run: RunWire): boolean {
  return isJsonRecord(run.metadata?.server_side);
}

/** What the run runs, from its configuration: the configuration's name and version, or the endpoint. */
export function targetText(run: RunWire): string | undefined {
  const configuration = run.configuration ?? {};
  if (configuration.type === 'configuration')
    return `configuration ${String(configuration.configuration_name ?? configuration.configuration_id)} (version ${String(configuration.configuration_version ?? '?')})`;
  if (configuration.type === 'endpoint') return `endpoint ${String(configuration.url)}`;
  return undefined;
}

export function ServerRun({ target, run }: { target: DataTarget; run: RunWire }): JSX.Element {
  const { api } = useApp();
  const queryClient = useQueryClient();
  const headingId = useId();
  const { role } = useProjectRole(target.projectId);
  const key = ['server-experiment', target.dataPlaneId, target.projectId, run.run_id];
  const state = useQuery({
    queryKey: key,
    queryFn: () => api.serverExperiment(target, run.run_id),
    refetchInterval: (query) =>
      ['RUNNING', 'PENDING_REDRIVE'].includes(query.state.data?.execution.status ?? '')
        ? RUNNING_REFRESH_MS
        : false,
  });
  const redrive = useMutation({
    mutationFn: () => api.redriveExperiment(target, run.run_id),
    onSuccess: (answer) => {
      queryClient.setQueryData(key, answer);
      void queryClient.invalidateQueries({
        queryKey: ['run', target.dataPlaneId, target.projectId, run.run_id],
      });
    },
  });
  const execution = state.data?.execution;
  // When the workflow stops, the run record (status, sessions) and its result have changed: read them again.
  const stopped = execution !== undefined && !['RUNNING', 'PENDING_REDRIVE'].includes(execution.status);
  useEffect(() => {
    if (!stopped) return;
    void queryClient.invalidateQueries({
      queryKey: ['run', target.dataPlaneId, target.projectId, run.run_id],
    });
    void queryClient.invalidateQueries({
      queryKey: ['run-result', target.dataPlaneId, target.projectId, run.run_id],
    });
  }, [stopped, queryClient, target, run.run_id]);
  const counts = state.data?.counts;
  const canRedrive =
    atLeast(role, 'member') &&
    execution !== undefined &&
    ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(execution.status);
  return (
    <section className="card stack" aria-labelledby={headingId}>
      <h2 id={headingId}>Server-side run</h2>
      <ErrorMessage error={state.error} title="Could not read the run's workflow" />
      {state.isLoading ? <p className="muted small">Loading…</p> : null}
      <dl className="run-facts" data-testid="server-run">
        {targetText(run) ? (
          <div>
            <dt>Runs</dt>
            <dd>{targetText(run)}</dd>
          </div>
        ) : null}
        {execution ? (
          <>
            <div>
              <dt>Workflow</dt>
              <dd data-testid="execution-status">{EXECUTION_WORDS[execution.status] ?? execution.status}</dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd>{formatTime(execution.started_at)}</dd>
            </div>
            {execution.stopped_at !== undefined ? (
              <div>
                <dt>Took</dt>
                <dd>{formatDuration(execution.stopped_at - execution.started_at)}</dd>
              </div>
            ) : null}
            {execution.items ? (
              <div>
                <dt>Batches</dt>
                <dd>
                  {formatCount(execution.items.succeeded)} of {formatCount(execution.items.total)} done
                  {execution.items.failed > 0 ? `, ${formatCount(execution.items.failed)} failed` : ''}
                  {execution.items.pending > 0 ? `, ${formatCount(execution.items.pending)} to go` : ''}
                </dd>
              </div>
            ) : null}
            {execution.redrive_count > 0 ? (
              <div>
                <dt>Redriven</dt>
                <dd>{execution.redrive_count}×</dd>
              </div>
            ) : null}
          </>
        ) : null}
        {counts ? (
          <div>
            <dt>Datapoints</dt>
            <dd data-testid="server-counts">
              {formatCount(counts.succeeded)} answered, {formatCount(counts.errored)} refused by the target,{' '}
              {formatCount(counts.failed)} not answered
            </dd>
          </div>
        ) : null}
      </dl>
      {execution?.error ? (
        <p className="bad small" role="note">
          {execution.error}
        </p>
      ) : null}
      {canRedrive ? (
        <div className="actions">
          <button type="button" disabled={redrive.isPending} onClick={() => redrive.mutate()}>
            {redrive.isPending ? 'Redriving…' : 'Redrive failed datapoints'}
          </button>
          <span className="muted small">Only the datapoints that were not answered run again.</span>
        </div>
      ) : null}
      <ErrorMessage error={redrive.error} title="Could not redrive" />
    </section>
  );
}
