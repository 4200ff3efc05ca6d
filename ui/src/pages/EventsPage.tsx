import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { EventSortField, ExportRequest, SortOrder } from '../api/client';
import type { EventFilter, WaggleEvent } from '../api/types';
import { useApp, useTarget } from '../app/context';
import { useFieldSuggestions } from '../app/hooks';
import { type ListDefaults, listUpdater, listView, rangeToSearch } from '../app/list-search';
import { useTitle } from '../app/title';
import { ErrorMessage } from '../components/ErrorMessage';
import { FirstTrace } from '../components/FirstTrace';
import { formatCost, formatCount, formatDuration, formatTime } from '../components/format';
import { FiltersCard, ListHead } from '../components/ListPage';
import { type Column, ColumnHeaders, Pager } from '../components/Table';
import { TabList, tabPanelProps } from '../components/Tabs';
import { describeRange, toDateRange } from '../components/TimeRange';
import type { EventTypeTab } from '../router';

const route = getRouteApi('/signed-in/projects/$projectId/events');

const TABS: { value: EventTypeTab; label: string }[] = [
  { value: 'all', label: 'All events' },
  { value: 'model', label: 'Model' },
  { value: 'tool', label: 'Tool' },
  { value: 'chain', label: 'Chain' },
];

const ROW_HEIGHT = 37;
/** The fields the table shows: pages stay small (no inputs or outputs) and never need cutting. */
export const EVENT_TABLE_PROJECTIONS = [
  'event_id',
  'session_id',
  'event_type',
  'event_name',
  'start_time',
  'duration',
  'model',
  'provider',
  'total_tokens',
  'cost',
  'error',
];
const DEFAULTS: ListDefaults<EventSortField> = { sort: 'start_time', order: 'desc', size: 500 };

export function EventsPage() {
  useTitle('Events');
  const { projectId } = route.useParams();
  const search = route.useSearch();
  const tab: EventTypeTab = search.type ?? 'all';
  const routeNavigate = route.useNavigate();
  const navigate = useNavigate();
  const { api, dataPlane } = useApp();
  const target = useTarget(projectId);
  const suggestions = useFieldSuggestions(target);
  const { range, filters, sortBy, sortOrder, page, pageSize } = listView(search, DEFAULTS);
  const update = listUpdater(routeNavigate, DEFAULTS);

  const typeFilter: EventFilter[] =
    tab === 'all' ? [] : [{ field: 'event_type', operator: 'is', value: tab, type: 'string' }];
  const body: ExportRequest = {
    filters: [...typeFilter, ...filters],
    projections: EVENT_TABLE_PROJECTIONS,
    dateRange: toDateRange(range),
    limit: pageSize,
    page,
    sortBy,
    sortOrder,
  };
  const events = useQuery({
    queryKey: ['events', target.dataPlaneId, target.projectId, body],
    queryFn: () => api.exportEvents(target, body),
    placeholderData: keepPreviousData,
  });

  const selectTab = (next: EventTypeTab) => update({ type: next === 'all' ? undefined : next });

  const open = (event: WaggleEvent) =>
    navigate({
      to: '/projects/$projectId/sessions/$sessionId',
      params: { projectId, sessionId: event.session_id },
      search: { event: event.event_id },
    });

  return (
    <>
      <ListHead
        title="Events"
        range={range}
        onRange={(next) => update(rangeToSearch(next))}
        fetching={events.isFetching}
        onRefresh={() => void events.refetch()}
      />
      <TabList label="Event type" idPrefix="events" tabs={TABS} selected={tab} onSelect={selectTab} />
      <div {...tabPanelProps('events', tab)}>
        <FiltersCard
          filters={filters}
          suggestions={suggestions}
          onChange={(next) => update({ filters: next })}
        />
        <ErrorMessage error={events.error} title="Could not load events" />
        {events.isLoading ? <p role="status">Loading events…</p> : null}
        {events.data && events.data.totalEvents === 0 ? (
          <p>
            No {tab === 'all' ? '' : `${tab} `}events in the {describeRange(range)}
            {filters.length > 0 ? ' match these filters' : ''}.
          </p>
        ) : null}
        {events.data && events.data.totalEvents === 0 && tab === 'all' && filters.length === 0 ? (
          <FirstTrace plane={dataPlane} projectId={projectId} />
        ) : null}
        {events.data && events.data.totalEvents > 0 ? (
          <>
            <EventsTable
              events={events.data.events}
              busy={events.isFetching}
              sortBy={sortBy}
              sortOrder={sortOrder}
              projectId={projectId}
              onOpen={open}
              onSort={(field, order) => update({ sort: field, order })}
            />
            {events.data.continueWith ? (
              <p className="muted small">
                This page was cut to fit the answer size; {events.data.events.length} events shown.
              </p>
            ) : null}
            <Pager
              page={page}
              pageSize={pageSize}
              total={events.data.totalEvents}
              noun="events"
              onPage={(next) => update({ page: next })}
              onPageSize={(size) => update({ size })}
            />
          </>
        ) : null}
      </div>
    </>
  );
}

const COLUMNS: Column<EventSortField>[] = [
  { field: 'event_name', label: 'Name' },
  { label: 'Type' },
  { field: 'start_time', label: 'Start' },
  { field: 'duration', label: 'Duration', numeric: true },
  { field: 'model', label: 'Model' },
  { label: 'Provider' },
  { field: 'total_tokens', label: 'Tokens', numeric: true },
  { field: 'cost', label: 'Cost', numeric: true },
  { label: 'Error' },
];

/** The page's events, virtualized: only the rows in view (plus a few) are in the DOM. */
function EventsTable({
  events,
  busy,
  sortBy,
  sortOrder,
  projectId,
  onOpen,
  onSort,
}: {
  events: WaggleEvent[];
  busy: boolean;
  sortBy: EventSortField;
  sortOrder: SortOrder;
  projectId: string;
  onOpen(event: WaggleEvent): void;
  onSort(field: EventSortField, order: SortOrder): void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: events.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Rendered before layout (and in tests) as if the view were 600 px tall.
    initialRect: { width: 1200, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const before = items[0]?.start ?? 0;
  const after = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  return (
    <div className="table-wrap virtual" ref={scroller} aria-busy={busy}>
      <table className="data" data-testid="events-table" aria-rowcount={events.length + 1}>
        <caption className="sr-only">Events</caption>
        <thead>
          <tr aria-rowindex={1}>
            <ColumnHeaders columns={COLUMNS} sortBy={sortBy} sortOrder={sortOrder} onSort={onSort} />
          </tr>
        </thead>
        <tbody>
          {before > 0 ? (
            <tr className="spacer" style={{ height: before }}>
              <td colSpan={COLUMNS.length} />
            </tr>
          ) : null}
          {items.map((item) => {
            const event = events[item.index];
            if (!event) return null;
            return (
              <tr
                key={event.event_id}
                aria-rowindex={item.index + 2}
                className="clickable"
                style={{ height: ROW_HEIGHT }}
                onClick={() => onOpen(event)}
              >
                <th scope="row">
                  <Link
                    to="/projects/$projectId/sessions/$sessionId"
                    params={{ projectId, sessionId: event.session_id }}
                    search={{ event: event.event_id }}
                    onClick={(click) => click.stopPropagation()}
                  >
                    {event.event_name || event.event_id}
                  </Link>
                </th>
                <td>
                  <span className={`type type-${event.event_type}`}>{event.event_type}</span>
                </td>
                <td>{formatTime(event.start_time)}</td>
                <td className="num">{formatDuration(event.duration)}</td>
                <td>{event.model ?? ''}</td>
                <td>{event.provider ?? ''}</td>
                <td className="num">{formatCount(event.total_tokens)}</td>
                <td className="num">{formatCost(event.cost)}</td>
                <td className="bad ellipsis" title={event.error ?? undefined}>
                  {event.error ?? ''}
                </td>
              </tr>
            );
          })}
          {after > 0 ? (
            <tr className="spacer" style={{ height: after }}>
              <td colSpan={COLUMNS.length} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
