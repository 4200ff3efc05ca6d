import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { isApiError, type SessionSearchRequest, type SessionSortField } from '../api/client';
import { useApp, useTarget } from '../app/context';
import { useFieldSuggestions } from '../app/hooks';
import { type ListDefaults, listUpdater, listView, rangeToSearch } from '../app/list-search';
import { useTitle } from '../app/title';
import { ErrorMessage } from '../components/ErrorMessage';
import { FirstTrace } from '../components/FirstTrace';
import { formatCost, formatCount, formatDuration, formatProperties, formatTime } from '../components/format';
import { FiltersCard, ListHead } from '../components/ListPage';
import { type Column, ColumnHeaders, Pager } from '../components/Table';
import { describeRange, toDateRange } from '../components/TimeRange';

const route = getRouteApi('/signed-in/projects/$projectId/sessions');

const DEFAULTS: ListDefaults<SessionSortField> = { sort: 'start_time', order: 'desc', size: 50 };

const COLUMNS: Column<SessionSortField>[] = [
  { field: 'event_name', label: 'Name' },
  { field: 'start_time', label: 'Start' },
  { field: 'duration', label: 'Duration', numeric: true },
  { field: 'num_events', label: 'Events', numeric: true },
  { field: 'cost', label: 'Cost', numeric: true },
  { field: 'total_tokens', label: 'Tokens', numeric: true },
  { field: 'errors', label: 'Errors', numeric: true },
  { label: 'User properties' },
  { label: 'Source' },
];

export function SessionsPage() {
  useTitle('Sessions');
  const { projectId } = route.useParams();
  const { api, dataPlane } = useApp();
  const target = useTarget(projectId);
  const navigate = useNavigate();
  const suggestions = useFieldSuggestions(target, 'session');
  const search = route.useSearch();
  const routeNavigate = route.useNavigate();
  const { range, filters, sortBy, sortOrder, page, pageSize } = listView(search, DEFAULTS);
  const update = listUpdater(routeNavigate, DEFAULTS);

  const body: SessionSearchRequest = {
    filters,
    dateRange: toDateRange(range),
    sortBy,
    sortOrder,
    limit: pageSize,
    page,
  };
  const sessions = useQuery({
    queryKey: ['sessions', target.dataPlaneId, target.projectId, body],
    queryFn: () => api.searchSessions(target, body),
    placeholderData: keepPreviousData,
  });

  const open = (sessionId: string) =>
    navigate({ to: '/projects/$projectId/sessions/$sessionId', params: { projectId, sessionId } });
  const data = sessions.data;
  const empty = data !== undefined && data.totalSessions === 0 && !sessions.isPlaceholderData;

  return (
    <>
      <ListHead
        title="Sessions"
        range={range}
        onRange={(next) => update(rangeToSearch(next))}
        fetching={sessions.isFetching}
        onRefresh={() => void sessions.refetch()}
      />
      <FiltersCard filters={filters} suggestions={suggestions} onChange={(next) => update({ filters: next })}>
        <p className="muted small">
          Filters match each session's session event: its name, source, metadata and user properties.
        </p>
      </FiltersCard>
      <ErrorMessage error={sessions.error} title="Could not load sessions" />
      {isApiError(sessions.error) && (sessions.error.status === 404 || sessions.error.status === 405) ? (
        <p>
          This data plane does not list sessions (<code>POST /v1/sessions/search</code>); it may run an older
          version. Its events are on the{' '}
          <Link to="/projects/$projectId/events" params={{ projectId }}>
            Events page
          </Link>
          .
        </p>
      ) : null}
      {sessions.isLoading ? <p role="status">Loading sessions…</p> : null}
      {empty && filters.length === 0 ? (
        <>
          <p>No sessions in the {describeRange(range)}.</p>
          <FirstTrace plane={dataPlane} projectId={projectId} />
        </>
      ) : null}
      {empty && filters.length > 0 ? (
        <p>No sessions match these filters in the {describeRange(range)}.</p>
      ) : null}
      {data && !empty && data.sessions.length === 0 && page > 1 ? (
        <p>
          Page {page} is past the last one.{' '}
          <button type="button" className="link" onClick={() => update({ page: 1 })}>
            Go to the first page
          </button>
        </p>
      ) : null}
      {data && !empty ? (
        <>
          <div className="table-wrap" aria-busy={sessions.isFetching}>
            <table className="data" data-testid="sessions-table">
              <caption className="sr-only">Sessions, {describeRange(range)}</caption>
              <thead>
                <tr>
                  <ColumnHeaders
                    columns={COLUMNS}
                    sortBy={sortBy}
                    sortOrder={sortOrder}
                    onSort={(field, order) => update({ sort: field, order })}
                  />
                </tr>
              </thead>
              <tbody>
                {data.sessions.map((session) => (
                  <tr key={session.session_id} className="clickable" onClick={() => open(session.session_id)}>
                    <th scope="row">
                      <Link
                        to="/projects/$projectId/sessions/$sessionId"
                        params={{ projectId, sessionId: session.session_id }}
                        onClick={(event) => event.stopPropagation()}
                        title={session.session_id}
                      >
                        {session.event_name || session.session_id}
                      </Link>
                    </th>
                    <td>{formatTime(session.start_time)}</td>
                    <td className="num">{formatDuration(session.duration)}</td>
                    <td className="num">{formatCount(session.num_events)}</td>
                    <td className="num">{formatCost(session.cost)}</td>
                    <td className="num">{formatCount(session.total_tokens)}</td>
                    <td className={session.errors > 0 ? 'num bad' : 'num'}>{formatCount(session.errors)}</td>
                    <td className="props">{formatProperties(session.user_properties)}</td>
                    <td>{session.source ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            page={page}
            pageSize={pageSize}
            total={data.totalSessions}
            noun="sessions"
            onPage={(next) => update({ page: next })}
            onPageSize={(size) => update({ size })}
          />
        </>
      ) : null}
    </>
  );
}
