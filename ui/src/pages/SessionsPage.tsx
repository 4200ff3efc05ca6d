import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import type { SessionSearchRequest, SessionSortField, SortOrder } from '../api/client';
import type { EventFilter } from '../api/types';
import { useApp, useTarget } from '../app/context';
import { useFieldSuggestions } from '../app/hooks';
import { ErrorMessage } from '../components/ErrorMessage';
import { FilterEditor } from '../components/FilterEditor';
import { FirstTrace } from '../components/FirstTrace';
import { formatCost, formatCount, formatDuration, formatProperties, formatTime } from '../components/format';
import { Pager, SortHeader } from '../components/Table';
import { describeRange, TimeRangePicker, type TimeRangeValue, toDateRange } from '../components/TimeRange';

const route = getRouteApi('/signed-in/projects/$projectId/sessions');

const COLUMNS: { field: SessionSortField | undefined; label: string; numeric?: boolean }[] = [
  { field: 'event_name', label: 'Name' },
  { field: 'start_time', label: 'Start' },
  { field: 'duration', label: 'Duration', numeric: true },
  { field: 'num_events', label: 'Events', numeric: true },
  { field: 'cost', label: 'Cost', numeric: true },
  { field: 'total_tokens', label: 'Tokens', numeric: true },
  { field: 'errors', label: 'Errors', numeric: true },
  { field: undefined, label: 'User properties' },
  { field: undefined, label: 'Source' },
];

export function SessionsPage() {
  const { projectId } = route.useParams();
  const { api, dataPlane } = useApp();
  const target = useTarget(projectId);
  const navigate = useNavigate();
  const suggestions = useFieldSuggestions(target);
  const [range, setRange] = useState<TimeRangeValue>({ preset: '24h' });
  const [filters, setFilters] = useState<EventFilter[]>([]);
  const [sortBy, setSortBy] = useState<SessionSortField>('start_time');
  const [sortOrder, setSortOrder] = useState<SortOrder>('desc');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(50);

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
      <div className="page-head">
        <h1>Sessions</h1>
        <TimeRangePicker
          value={range}
          onChange={(next) => {
            setRange(next);
            setPage(1);
          }}
        />
      </div>
      <details className="card filters-card" open={filters.length > 0 || undefined}>
        <summary>Filters{filters.length > 0 ? ` (${filters.length})` : ''}</summary>
        <FilterEditor
          filters={filters}
          suggestions={suggestions}
          onChange={(next) => {
            setFilters(next);
            setPage(1);
          }}
        />
      </details>
      <ErrorMessage error={sessions.error} title="Could not load sessions" />
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
      {data && !empty ? (
        <>
          <div className="table-wrap" aria-busy={sessions.isFetching}>
            <table className="data" data-testid="sessions-table">
              <caption className="sr-only">Sessions, {describeRange(range)}</caption>
              <thead>
                <tr>
                  {COLUMNS.map((column) =>
                    column.field ? (
                      <SortHeader
                        key={column.label}
                        label={column.label}
                        field={column.field}
                        sortBy={sortBy}
                        sortOrder={sortOrder}
                        className={column.numeric ? 'num' : undefined}
                        onSort={(field, order) => {
                          setSortBy(field);
                          setSortOrder(order);
                          setPage(1);
                        }}
                      />
                    ) : (
                      <th key={column.label} scope="col">
                        {column.label}
                      </th>
                    ),
                  )}
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
            onPage={setPage}
            onPageSize={(size) => {
              setPageSize(size);
              setPage(1);
            }}
          />
        </>
      ) : null}
    </>
  );
}
