/**
 * "Backfill": the saved metric run over the stored events of a time range (`/v1/backfills`): an
 * estimate of the events and the cost first, then the run under a cap, its progress while it runs
 * (polled), and a redrive of a failed run's failed batches. Not for human metrics (reviewers score
 * them). docs/evaluators.md, "Backfills".
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { type JSX, useId, useState } from 'react';
import type { BackfillRequest, DataTarget, MetricWire } from '../api/client';
import { useApp } from '../app/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatCost, formatCount } from '../components/format';

const DAY_MS = 86_400_000;

/** A datetime-local value (local time, to the minute) as epoch ms; undefined when empty or invalid. */
function epochOf(text: string): number | undefined {
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

function localInput(ms: number): string {
  const date = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 16);
}

export function Backfill({
  target,
  metric,
  canRun,
}: {
  target: DataTarget;
  metric: MetricWire;
  canRun: boolean;
}): JSX.Element {
  const { api } = useApp();
  const headingId = useId();
  const ids = { from: useId(), to: useId(), max: useId() };
  const [from, setFrom] = useState(() => localInput(Date.now() - 7 * DAY_MS));
  const [to, setTo] = useState(() => localInput(Date.now()));
  const [maxEvents, setMaxEvents] = useState('10000');
  const [runId, setRunId] = useState<string | undefined>(undefined);
  const request = (): BackfillRequest | undefined => {
    const start = epochOf(from);
    const end = epochOf(to);
    const max = Number(maxEvents);
    if (start === undefined || end === undefined || !Number.isInteger(max) || max < 1) return undefined;
    return { metric_id: metric._id, start_time: start, end_time: end, max_events: max };
  };
  const estimate = useMutation({ mutationFn: (body: BackfillRequest) => api.estimateBackfill(target, body) });
  const start = useMutation({
    mutationFn: (body: BackfillRequest) => api.startBackfill(target, body),
    onSuccess: (started) => setRunId(started.backfill_id),
  });
  const state = useQuery({
    queryKey: ['backfill', target.dataPlaneId, target.projectId, runId],
    queryFn: () => api.backfill(target, runId as string),
    enabled: runId !== undefined,
    refetchInterval: (query) => (query.state.data?.status === 'RUNNING' ? 2_000 : false),
  });
  const redrive = useMutation({
    mutationFn: () => api.redriveBackfill(target, runId as string),
    onSuccess: () => void state.refetch(),
  });
  const body = request();
  const run = state.data;
  return (
    <section className="card stack" aria-labelledby={headingId}>
      <h2 id={headingId}>Backfill</h2>
      <p className="muted small">
        Run version {metric.version ?? 1} over the stored events of a time range its selectors and filters
        pick (sampled as online evaluation samples), under a cap.
      </p>
      <div className="row">
        <Field id={ids.from} label="From" type="datetime-local" value={from} onChange={setFrom} />
        <Field id={ids.to} label="To" type="datetime-local" value={to} onChange={setTo} />
        <Field id={ids.max} label="At most (events)" value={maxEvents} onChange={setMaxEvents} />
      </div>
      <div className="row">
        <button
          type="button"
          className="secondary"
          disabled={!body || estimate.isPending}
          onClick={() => body && estimate.mutate(body)}
        >
          Estimate
        </button>
        <button
          type="button"
          disabled={!canRun || !body || start.isPending || run?.status === 'RUNNING'}
          onClick={() => body && start.mutate(body)}
        >
          Run backfill
        </button>
      </div>
      {estimate.data ? (
        <p data-testid="backfill-estimate">
          About {formatCount(estimate.data.events)} of {formatCount(estimate.data.matching_events)} matching
          events, {formatCost(estimate.data.total_usd)} ({formatCost(estimate.data.judge_usd)} of judge
          calls).
          {estimate.data.refusal ? (
            <span className="wg-judge-error"> Over a cap: {estimate.data.refusal}.</span>
          ) : null}
        </p>
      ) : null}
      {estimate.error ? <ErrorMessage error={estimate.error} /> : null}
      {start.error ? <ErrorMessage error={start.error} /> : null}
      {run ? (
        <div className="stack" data-testid="backfill-run">
          <p>
            <strong data-testid="backfill-status">{run.status}</strong>{' '}
            {run.items
              ? `${run.items.succeeded} of ${run.items.total} batches done${run.items.failed > 0 ? `, ${run.items.failed} failed` : ''}`
              : 'listing the events…'}
            {run.totals ? ` · ${run.totals.scored} scored, ${run.totals.errors} errors` : ''}
          </p>
          {run.error ? <p className="wg-judge-error">{run.error}</p> : null}
          {run.status === 'FAILED' ? (
            <button
              type="button"
              className="secondary"
              disabled={!canRun || redrive.isPending}
              onClick={() => redrive.mutate()}
            >
              Redrive failed batches
            </button>
          ) : null}
          {redrive.error ? <ErrorMessage error={redrive.error} /> : null}
        </div>
      ) : null}
    </section>
  );
}

function Field(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: string;
}): JSX.Element {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type ?? 'text'}
        inputMode={props.type ? undefined : 'numeric'}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
      />
    </div>
  );
}
