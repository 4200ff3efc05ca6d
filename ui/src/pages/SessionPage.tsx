import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import type { SessionNode } from '../api/types';
import { useApp, useTarget } from '../app/context';
import { useTitle } from '../app/title';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatCost, formatDuration, formatTime } from '../components/format';

const route = getRouteApi('/signed-in/projects/$projectId/sessions/$sessionId');

export function SessionPage() {
  const { projectId, sessionId } = route.useParams();
  const { event } = route.useSearch();
  const navigate = route.useNavigate();
  const { api } = useApp();
  const target = useTarget(projectId);
  const session = useQuery({
    queryKey: ['session', target.dataPlaneId, target.projectId, sessionId],
    queryFn: () => api.getSession(target, sessionId),
  });
  useTitle(session.data ? `Session ${session.data.event_name || session.data.session_id}` : 'Session');
  const select = (id: string) => void navigate({ search: { event: id }, replace: true });
  return (
    <>
      <p className="crumbs">
        <Link to="/projects/$projectId/sessions" params={{ projectId }}>
          ← Sessions
        </Link>
      </p>
      <ErrorMessage error={session.error} title="Could not load the session" />
      {session.isLoading ? <p role="status">Loading session…</p> : null}
      {session.data ? (
        <SessionOutline session={session.data} selectedEventId={event} onSelectEvent={select} />
      ) : null}
    </>
  );
}

/** Until the session view lands: the session's events as an outline. */
function SessionOutline({
  session,
  selectedEventId,
  onSelectEvent,
}: {
  session: SessionNode;
  selectedEventId?: string;
  onSelectEvent(id: string): void;
}) {
  return (
    <section aria-labelledby="session-title">
      <h1 id="session-title">{session.event_name || session.session_id}</h1>
      <p className="muted">
        {formatTime(session.start_time)} · {formatDuration(session.duration)} · {formatCost(session.cost)}
      </p>
      <ul className="tree">
        <Node node={session} selectedEventId={selectedEventId} onSelectEvent={onSelectEvent} />
      </ul>
    </section>
  );
}

function Node({
  node,
  selectedEventId,
  onSelectEvent,
}: {
  node: SessionNode;
  selectedEventId?: string;
  onSelectEvent(id: string): void;
}) {
  return (
    <li>
      <button
        type="button"
        className="link"
        aria-current={node.event_id === selectedEventId ? 'true' : undefined}
        onClick={() => onSelectEvent(node.event_id)}
      >
        {node.event_type}: {node.event_name} ({formatDuration(node.duration)})
      </button>
      {node.children.length > 0 ? (
        <ul>
          {node.children.map((child) => (
            <Node
              key={child.event_id}
              node={child}
              selectedEventId={selectedEventId}
              onSelectEvent={onSelectEvent}
            />
          ))}
        </ul>
      ) : null}
    </li>
  );
}
