import { useMutation, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { type JSX, useId, useState } from 'react';
import type { MetricWire } from '../api/client';
import type { WaggleEvent } from '../api/types';
import { atLeast, useApp, useProjectRole, useTarget } from '../app/context';
import { useTitle } from '../app/title';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format';
import { metricsQueryKey } from '../evaluators/MetricScores';
import {
  mergeQueue,
  QUEUED_RANGE,
  queuedBy,
  queuedFilters,
  queueFilters,
  reviewValue,
} from '../review/queue';
import '../review/review.css';

const route = getRouteApi('/signed-in/projects/$projectId/review');

/** Events shown per queue page; a reviewer works through them and the next ones come. */
const QUEUE_PAGE = 20;
const PREVIEW_CHARS = 600;

/**
 * Human review: each `human` metric of the project is an annotation queue of the events its
 * selectors and filters pick (the last 30 days) and of those added to it by hand from an event's
 * detail (the last 90 days), that have no value of it yet. A reviewer scores an event as the
 * metric's return type, with an optional comment; the score is written to the event's metrics
 * (review/queue.ts) and the event leaves the queue.
 */
export function ReviewPage(): JSX.Element {
  const { projectId } = route.useParams();
  const { metric: selectedId } = route.useSearch();
  const navigate = route.useNavigate();
  const { api } = useApp();
  const target = useTarget(projectId);
  useTitle('Review');
  const metrics = useQuery({
    queryKey: metricsQueryKey(target.dataPlaneId, target.projectId),
    queryFn: () => api.listMetrics(target),
  });
  const human = (metrics.data ?? [])
    .filter((metric) => metric.type === 'human')
    .sort((a, b) => a.name.localeCompare(b.name));
  const selected = human.find((metric) => metric._id === selectedId) ?? human[0];
  return (
    <>
      <div className="page-head">
        <h1>Review</h1>
      </div>
      <ErrorMessage error={metrics.error} title="Could not load the evaluators" />
      {metrics.isSuccess && human.length === 0 ? (
        <p className="muted">
          No human evaluators in this project. Create one of type <q>human</q> on the{' '}
          <Link to="/projects/$projectId/evaluators" params={{ projectId }}>
            Evaluators
          </Link>{' '}
          page; its events to review are listed here.
        </p>
      ) : null}
      {human.length > 0 ? (
        <nav aria-label="Queues" className="wg-review-queues">
          {human.map((metric) => (
            <button
              key={metric._id}
              type="button"
              aria-pressed={metric._id === selected?._id}
              onClick={() => void navigate({ search: { metric: metric._id } })}
            >
              {metric.name}
            </button>
          ))}
        </nav>
      ) : null}
      {selected ? <Queue key={selected._id} metric={selected} projectId={projectId} /> : null}
    </>
  );
}

function Queue({ metric, projectId }: { metric: MetricWire; projectId: string }): JSX.Element {
  const { api } = useApp();
  const target = useTarget(projectId);
  const { role } = useProjectRole(projectId);
  const canReview = atLeast(role, 'member');
  const [done, setDone] = useState<ReadonlySet<string>>(new Set());
  const read = (filters: ReturnType<typeof queueFilters>, relative: string) =>
    api.exportEvents(target, {
      filters,
      dateRange: { relative },
      limit: QUEUE_PAGE,
      page: 1,
      sortBy: 'start_time',
      sortOrder: 'desc',
    });
  const selectedEvents = useQuery({
    queryKey: ['review-queue', target.dataPlaneId, target.projectId, metric._id, metric.version],
    queryFn: () => read(queueFilters(metric), '30d'),
  });
  // Added by hand (a queue marker under feedback): whatever the metric's selectors and filters say.
  const addedEvents = useQuery({
    queryKey: ['review-queue-added', target.dataPlaneId, target.projectId, metric._id, metric.name],
    queryFn: () => read(queuedFilters(metric), QUEUED_RANGE),
  });
  const waiting = mergeQueue(
    selectedEvents.data?.events ?? [],
    addedEvents.data?.events ?? [],
    metric.name,
  ).filter((event) => !done.has(event.event_id));
  const loaded = selectedEvents.isSuccess && addedEvents.isSuccess;
  const fetching = selectedEvents.isFetching || addedEvents.isFetching;
  return (
    <section aria-label={`Queue of ${metric.name}`} className="wg-review-queue">
      {metric.criteria || metric.description ? (
        <p className="wg-review-criteria">{metric.criteria || metric.description}</p>
      ) : null}
      <div className="wg-review-head">
        <span className="muted small">
          Events its event type, name and filters pick (last 30 days), and events added by hand from an
          event's detail (last 90 days).
        </span>
        <button
          type="button"
          className="secondary small"
          disabled={fetching}
          onClick={() => {
            void selectedEvents.refetch();
            void addedEvents.refetch();
          }}
        >
          Refresh
        </button>
      </div>
      <ErrorMessage error={selectedEvents.error} title="Could not load the events to review" />
      <ErrorMessage error={addedEvents.error} title="Could not load the events added by hand" />
      {loaded && waiting.length === 0 ? (
        <p className="muted">
          Nothing to review: every event this evaluator picks, and every event added to it by hand, has its
          score.
        </p>
      ) : null}
      <ol className="wg-review-items">
        {waiting.map((event) => (
          <li key={event.event_id}>
            <ReviewItem
              event={event}
              metric={metric}
              projectId={projectId}
              canReview={canReview}
              onReviewed={() => setDone((previous) => new Set([...previous, event.event_id]))}
            />
          </li>
        ))}
      </ol>
    </section>
  );
}

function ReviewItem({
  event,
  metric,
  projectId,
  canReview,
  onReviewed,
}: {
  event: WaggleEvent;
  metric: MetricWire;
  projectId: string;
  canReview: boolean;
  onReviewed: () => void;
}): JSX.Element {
  const { api, sessions } = useApp();
  const target = useTarget(projectId);
  const [entry, setEntry] = useState('');
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const ids = { value: useId(), comment: useId() };
  const queued = queuedBy(event, metric.name);
  const save = useMutation({
    mutationFn: (value: boolean | number | string) =>
      api.recordReview(target, metric._id, {
        event_id: event.event_id,
        value,
        ...(comment.trim() !== '' && { comment }),
        ...(sessions.peek()?.email !== undefined && { reviewer_label: sessions.peek()?.email }),
      }),
    onSuccess: onReviewed,
  });
  const submit = (text: string) => {
    const parsed = reviewValue(metric.return_type, text);
    if (!parsed.ok) {
      setProblem(parsed.problem);
      return;
    }
    setProblem(undefined);
    save.mutate(parsed.value);
  };
  return (
    <article className="card wg-review-item" aria-label={event.event_name || event.event_id}>
      <header>
        <Link
          to="/projects/$projectId/sessions/$sessionId"
          params={{ projectId, sessionId: event.session_id }}
          search={{ event: event.event_id }}
        >
          {event.event_name || event.event_id}
        </Link>{' '}
        <span className={`type type-${event.event_type}`}>{event.event_type}</span>{' '}
        <span className="muted">{formatTime(event.start_time)}</span>
        {queued ? (
          <span className="wg-review-queued" data-testid="queued-by">
            added by {queued.by}, {formatTime(Date.parse(queued.at))}
          </span>
        ) : null}
      </header>
      <Preview label="Inputs" value={event.inputs} />
      <Preview label="Outputs" value={event.outputs} />
      {canReview ? (
        <form
          className="wg-review-form"
          onSubmit={(submitted) => {
            submitted.preventDefault();
            submit(entry);
          }}
        >
          <label htmlFor={ids.comment}>Comment</label>
          <input id={ids.comment} value={comment} onChange={(change) => setComment(change.target.value)} />
          {metric.return_type === 'boolean' ? (
            <span className="wg-review-verdicts">
              <button type="button" disabled={save.isPending} onClick={() => submit('true')}>
                ✓ Pass
              </button>
              <button type="button" disabled={save.isPending} onClick={() => submit('false')}>
                ✗ Fail
              </button>
            </span>
          ) : (
            <>
              <label htmlFor={ids.value}>{metric.return_type === 'float' ? 'Score' : 'Value'}</label>
              <input
                id={ids.value}
                inputMode={metric.return_type === 'float' ? 'decimal' : undefined}
                value={entry}
                onChange={(change) => setEntry(change.target.value)}
              />
            </>
          )}
          {metric.return_type === 'boolean' ? null : (
            <button type="submit" disabled={save.isPending}>
              Save score
            </button>
          )}
          {problem ? (
            <p role="alert" className="wg-review-problem">
              {problem}
            </p>
          ) : null}
          <ErrorMessage error={save.error} title="The score was not saved" />
        </form>
      ) : (
        <p className="muted">Reviewing needs the member role or above.</p>
      )}
    </article>
  );
}

function Preview({ label, value }: { label: string; value: unknown }): JSX.Element | null {
  if (value === undefined || value === null) return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  if (text === '{}' || text === '') return null;
  return (
    <details open>
      <summary>{label}</summary>
      <pre className="wg-review-preview">
        {text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text}
      </pre>
    </details>
  );
}
