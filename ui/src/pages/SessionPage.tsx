import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useApp, useTarget } from '../app/context';
import { useTitle } from '../app/title';
import { ErrorMessage } from '../components/ErrorMessage';
import { SessionView } from '../session/SessionView';

const route = getRouteApi('/signed-in/projects/$projectId/sessions/$sessionId');

/**
 * `GET /v1/sessions/{id}` rendered by the session view (its name, rollups, tree and detail); the
 * selected event is `?event=` in the URL.
 */
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
        <SessionView session={session.data} selectedEventId={event} onSelectEvent={select} />
      ) : null}
    </>
  );
}
