import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApp } from '../app/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format';
import { DataTable } from '../components/Table';
import { channelsQueryKey, DeliveryStatus } from './ChannelsPanel';

const PAGE = 50;

/**
 * Every delivery attempt of the project's notifications, newest first (the API keeps 30 days),
 * a page of 50 at a time: older pages through the API's cursor, the way back through the cursors
 * already seen. Channels show by name while they exist.
 */
export function NotificationLog({ projectId }: { projectId: string }) {
  const { api } = useApp();
  // The cursors of the pages shown so far: [undefined] is the newest page.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const log = useQuery({
    queryKey: ['notification-log', projectId, cursor],
    queryFn: () => api.notificationLog(projectId, { limit: PAGE, cursor }),
    placeholderData: keepPreviousData,
  });
  const channels = useQuery({
    queryKey: channelsQueryKey(projectId),
    queryFn: () => api.listChannels(projectId),
  });
  const nameOf = (id: string) => channels.data?.find((channel) => channel.id === id)?.name;
  const entries = log.data?.entries;
  return (
    <>
      <div className="row">
        <h2 className="grow">Notification log</h2>
        <button
          type="button"
          className="secondary"
          onClick={() => void log.refetch()}
          disabled={log.isFetching}
        >
          {log.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <p className="muted">
        Each attempt to deliver a notification to a channel, newest first: delivered, failed (retried with
        backoff) or dropped (retrying could not help). Kept 30 days.
      </p>
      <ErrorMessage error={log.error} title="Could not read the notification log" />
      {log.isLoading ? <p role="status">Loading the log…</p> : null}
      {entries && entries.length === 0 && cursors.length === 1 ? (
        <p className="empty card">No notifications yet. A channel's "Send test" puts one here.</p>
      ) : null}
      {entries && entries.length > 0 ? (
        <DataTable
          testId="notification-log"
          caption="Notification delivery attempts, newest first"
          columns={[
            'Time',
            'Monitor',
            'Channel',
            'Severity',
            'State',
            'Status',
            { label: 'Attempt', numeric: true },
          ]}
        >
          {entries.map((entry) => (
            <tr key={`${entry.notification_id}-${entry.channel_id}-${entry.attempt}-${entry.at}`}>
              <td>{formatTime(Date.parse(entry.at))}</td>
              <th scope="row">
                {entry.type === 'channel.test' ? (
                  <span className="muted">Test notification</span>
                ) : (
                  entry.monitor_name
                )}
              </th>
              <td>{nameOf(entry.channel_id) ?? <span className="muted">deleted channel</span>}</td>
              <td>
                <span className={`severity ${entry.severity}`}>{entry.severity}</span>
              </td>
              <td>
                <StateBadge state={entry.state} />
              </td>
              <td>
                <DeliveryStatus status={entry.status} error={entry.error} />
              </td>
              <td className="num">{entry.attempt}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {cursors.length > 1 || log.data?.next_cursor ? (
        <nav className="pager" aria-label="Log pages">
          <button
            type="button"
            className="secondary"
            disabled={cursors.length === 1}
            onClick={() => setCursors((current) => current.slice(0, -1))}
          >
            Newer
          </button>
          <span>Page {cursors.length}</span>
          <button
            type="button"
            className="secondary"
            disabled={!log.data?.next_cursor}
            onClick={() => setCursors((current) => [...current, log.data?.next_cursor ?? undefined])}
          >
            Older
          </button>
        </nav>
      ) : null}
    </>
  );
}

/** A monitor state as a badge: its name in words, a colour beside it. */
export function StateBadge({ state }: { state: string | undefined }) {
  const shown = state ?? 'unknown';
  return <span className={`state-badge ${shown}`}>{shown.replace('_', ' ')}</span>;
}
