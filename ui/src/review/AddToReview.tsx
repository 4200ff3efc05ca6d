/**
 * "Add to review" on an event's detail: puts the event in a human metric's annotation queue by hand.
 * It writes a marker `{ queued_by, queued_at }` under `feedback["<metric>"]` through `PUT /events`
 * (queue.ts, queueUpdate), beside what that entry held; the Review page lists the event until a
 * reviewer scores it. Shown only inside the console (its query cache and app context), to members
 * and above, when the project has human metrics.
 */
import { QueryClientContext, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { type JSX, useContext, useId, useState } from 'react';
import type { MetricWire } from '../api/client';
import type { WaggleEvent } from '../api/types';
import { atLeast, useApp, useProjectRole, useTarget } from '../app/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format';
import { metricsQueryKey } from '../evaluators/MetricScores';
import { isReviewed, queuedBy, queueUpdate } from './queue';
import './review.css';

export function AddToReview({ event }: { event: WaggleEvent }): JSX.Element | null {
  const client = useContext(QueryClientContext);
  if (!client) return null;
  return <ProjectAddToReview event={event} />;
}

function ProjectAddToReview({ event }: { event: WaggleEvent }): JSX.Element | null {
  const params = useParams({ strict: false });
  const projectId = params.projectId ?? event.project_id ?? '';
  const { api, sessions } = useApp();
  const target = useTarget(projectId);
  const { role } = useProjectRole(projectId);
  const queryClient = useQueryClient();
  const selectId = useId();
  const metrics = useQuery({
    queryKey: metricsQueryKey(target.dataPlaneId, target.projectId),
    queryFn: () => api.listMetrics(target),
    enabled: projectId !== '',
    staleTime: 30_000,
    retry: false,
  });
  const human = (metrics.data ?? [])
    .filter((metric) => metric.type === 'human')
    .sort((a, b) => a.name.localeCompare(b.name));
  const [chosenId, setChosenId] = useState('');
  // Added in this view (the event shown is the one read before the write).
  const [added, setAdded] = useState<ReadonlyMap<string, string>>(new Map());
  const add = useMutation({
    mutationFn: (metric: MetricWire) =>
      api.updateEvent(target, queueUpdate(metric, event, { by: sessions.peek()?.email, at: Date.now() })),
    onSuccess: (_answer, metric) => {
      setAdded((previous) => new Map([...previous, [metric._id, new Date().toISOString()]]));
      void queryClient.invalidateQueries({
        queryKey: ['review-queue-added', target.dataPlaneId, target.projectId],
      });
    },
  });
  if (human.length === 0 || !atLeast(role, 'member')) return null;
  const chosen = human.find((metric) => metric._id === chosenId) ?? human[0];
  if (chosen === undefined) return null;
  const reviewed = isReviewed(event, chosen.name);
  const queued = added.has(chosen._id)
    ? { by: sessions.peek()?.email ?? 'you', at: added.get(chosen._id) ?? '' }
    : queuedBy(event, chosen.name);
  const queueLink = (
    <Link to="/projects/$projectId/review" params={{ projectId }} search={{ metric: chosen._id }}>
      Open the queue
    </Link>
  );
  return (
    <form
      className="wg-add-review"
      aria-label="Add to review"
      onSubmit={(submitted) => {
        submitted.preventDefault();
        if (!reviewed && !queued && !add.isPending) add.mutate(chosen);
      }}
    >
      <label htmlFor={selectId}>Human metric</label>
      <select
        id={selectId}
        value={chosen._id}
        onChange={(change) => {
          add.reset();
          setChosenId(change.target.value);
        }}
      >
        {human.map((metric) => (
          <option key={metric._id} value={metric._id}>
            {metric.name}
          </option>
        ))}
      </select>
      <button
        type="submit"
        className="secondary small"
        disabled={reviewed || queued !== undefined || add.isPending}
      >
        {add.isPending ? 'Adding…' : 'Add to review'}
      </button>
      {reviewed ? (
        <p className="muted small" role="status">
          Already reviewed for {chosen.name}.
        </p>
      ) : queued ? (
        <p className="muted small" role="status" data-testid="review-queued">
          In the review queue of {chosen.name} (added by {queued.by}
          {queued.at ? `, ${formatTime(Date.parse(queued.at))}` : ''}). {queueLink}
        </p>
      ) : null}
      <ErrorMessage error={add.error} title="Could not add the event to the review queue" />
    </form>
  );
}
