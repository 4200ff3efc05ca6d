import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import type { SessionNode } from '../api/types';
import { useApp, useTarget } from '../app/context';
import { useTitle } from '../app/title';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatCost, formatCount, formatDuration, formatTime } from '../components/format';
import { SessionView } from '../session/SessionView';

const route = getRouteApi('/signed-in/projects/$projectId/sessions/$sessionId');

/** `GET /v1/sessions/{id}` rendered by the session view; the selected event is `?event=` in the URL. */
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
        <>
          <SessionHeader session={session.data} />
          <SessionView session={session.data} selectedEventId={event} onSelectEvent={select} />
        </>
      ) : null}
    </>
  );
}

function rollup(session: SessionNode, name: string): number | undefined {
  const value = session.metadata?.[name];
  return typeof value === 'number' ? value : undefined;
}

/** The session's name and its rollups (the read API writes them into the session's metadata). */
function SessionHeader({ session }: { session: SessionNode }) {
  return (
    <header className="session-head">
      <h1>{session.event_name || session.session_id}</h1>
      <p className="muted">
        {formatTime(session.start_time)} · {formatDuration(session.duration)} ·{' '}
        {formatCount(rollup(session, 'num_events'))} events · {formatCount(rollup(session, 'total_tokens'))}{' '}
        tokens · {formatCost(session.cost ?? rollup(session, 'cost'))}
        {session.source ? ` · ${session.source}` : ''}
      </p>
    </header>
  );
}
