import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import {
  CHANNEL_TYPES,
  type ChannelType,
  type ChannelView,
  type IssuedChannel,
  SEVERITIES,
  type Severity,
} from '../api/alert-calls';
import { useApp } from '../app/context';
import { ConfirmDelete } from '../components/ConfirmDelete';
import { CopyButton } from '../components/CopyButton';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format';
import { Options } from '../components/Options';
import { QueryList } from '../components/QueryList';
import { SubmitButton } from '../components/SubmitButton';
import { DataTable } from '../components/Table';
import { TextField } from '../components/TextField';

export const channelsQueryKey = (projectId: string) => ['channels', projectId];

const TYPE_LABELS: Record<ChannelType, string> = { webhook: 'Webhook', slack: 'Slack', email: 'Email' };

/** Where a channel delivers: its URL (a Slack one cut by the API) or its address. */
function destinationOf(channel: ChannelView): string {
  return channel.url ?? channel.email ?? '';
}

/**
 * A project's notification channels: the list, a form to add one (a webhook's signing secret shown
 * once), and per channel a test send (its outcome read from the notification log), secret rotation
 * and delete. Members see the list; admins change and test channels.
 */
export function ChannelsPanel({ projectId, canManage }: { projectId: string; canManage: boolean }) {
  const { api } = useApp();
  const queryClient = useQueryClient();
  const channels = useQuery({
    queryKey: channelsQueryKey(projectId),
    queryFn: () => api.listChannels(projectId),
  });
  // A secret lives only in this state: never in the query cache, gone once dismissed.
  const [issued, setIssued] = useState<IssuedChannel & { rotated: boolean }>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: channelsQueryKey(projectId) });
  return (
    <>
      <h2>Channels</h2>
      <p className="muted">
        Where notifications go: signed webhooks, Slack incoming webhooks and email. Webhook and Slack URLs
        must be public HTTPS addresses.
      </p>
      {issued?.secret ? (
        <NewSecret issued={issued} rotated={issued.rotated} onDone={() => setIssued(undefined)} />
      ) : null}
      {canManage ? (
        <CreateChannel
          projectId={projectId}
          onCreated={(created) => {
            setIssued({ ...created, rotated: false });
            void refresh();
          }}
        />
      ) : null}
      <QueryList
        query={channels}
        what="channels"
        empty={
          <p className="empty card">
            No channels yet.{canManage ? ' Add one above.' : ' An admin can add one.'}
          </p>
        }
      >
        {(rows) => (
          <DataTable
            testId="channels-table"
            caption="Notification channels"
            columns={['Name', 'Type', 'Destination', 'Severities', 'Created', canManage && 'Actions']}
          >
            {rows.map((channel) => (
              <ChannelRow
                key={channel.id}
                channel={channel}
                projectId={projectId}
                canManage={canManage}
                onChanged={refresh}
                onRotated={(rotated) => setIssued({ ...rotated, rotated: true })}
              />
            ))}
          </DataTable>
        )}
      </QueryList>
    </>
  );
}

function CreateChannel({
  projectId,
  onCreated,
}: {
  projectId: string;
  onCreated(created: IssuedChannel): void;
}) {
  const { api } = useApp();
  const [type, setType] = useState<ChannelType>('webhook');
  const [name, setName] = useState('');
  const [destination, setDestination] = useState('');
  const [severities, setSeverities] = useState<Severity[]>([...SEVERITIES]);
  const typeId = useId();
  const create = useMutation({
    mutationFn: () =>
      api.createChannel(projectId, {
        type,
        name: name.trim(),
        ...(type === 'email' ? { email: destination.trim() } : { url: destination.trim() }),
        severities,
      }),
    onSuccess: (created) => {
      setName('');
      setDestination('');
      onCreated(created);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="card stack" onSubmit={submit} aria-label="Add a channel">
      <div className="row channel-fields">
        <span className="field">
          <label htmlFor={typeId}>Type</label>
          <select id={typeId} value={type} onChange={(event) => setType(event.target.value as ChannelType)}>
            <Options values={CHANNEL_TYPES} label={(candidate) => TYPE_LABELS[candidate]} />
          </select>
        </span>
        <TextField label="Channel name" value={name} onChange={setName} required maxLength={200} />
        <TextField
          label={type === 'email' ? 'Email address' : type === 'slack' ? 'Slack webhook URL' : 'Webhook URL'}
          className="grow"
          type={type === 'email' ? 'email' : 'url'}
          placeholder={
            type === 'email'
              ? 'oncall@example.com'
              : type === 'slack'
                ? 'https://hooks.slack.com/services/…'
                : 'https://example.com/hooks/waggle'
          }
          value={destination}
          onChange={setDestination}
          required
        />
      </div>
      <fieldset className="bare row">
        <legend>Notify on</legend>
        {SEVERITIES.map((severity) => (
          <label key={severity} className="check">
            <input
              type="checkbox"
              checked={severities.includes(severity)}
              onChange={(event) =>
                setSeverities((current) =>
                  event.target.checked
                    ? SEVERITIES.filter((candidate) => candidate === severity || current.includes(candidate))
                    : current.filter((candidate) => candidate !== severity),
                )
              }
            />
            {severity}
          </label>
        ))}
      </fieldset>
      <ErrorMessage error={create.error} title="Could not add the channel" />
      <div className="row">
        <SubmitButton pending={create.isPending} busy="Adding…" disabled={severities.length === 0}>
          Add channel
        </SubmitButton>
        {severities.length === 0 ? <span className="muted small">Choose at least one severity.</span> : null}
      </div>
    </form>
  );
}

/** A webhook's signing secret, shown once (on creation or rotation) with a copy button. */
function NewSecret({ issued, rotated, onDone }: { issued: IssuedChannel; rotated: boolean; onDone(): void }) {
  const secret = issued.secret ?? '';
  return (
    <section className="card secret" aria-labelledby="new-secret-title" data-testid="new-secret">
      <h3 id="new-secret-title">
        {rotated ? 'The new signing secret' : 'Signing secret'} of {issued.channel.name}
      </h3>
      <p>
        <strong>Copy it now: you won't see this again.</strong> Your receiver verifies each webhook with it
        (Standard Webhooks signatures); Waggle keeps it encrypted and never shows it again.
        {rotated ? ' The previous secret keeps signing beside it for 24 hours.' : ''}
      </p>
      <p className="row">
        <code className="secret-value" data-testid="channel-secret">
          {secret}
        </code>
        <CopyButton text={secret} label="Copy secret" />
      </p>
      <button type="button" onClick={onDone}>
        Done, I have stored the secret
      </button>
    </section>
  );
}

function ChannelRow({
  channel,
  projectId,
  canManage,
  onChanged,
  onRotated,
}: {
  channel: ChannelView;
  projectId: string;
  canManage: boolean;
  onChanged(): void;
  onRotated(issued: IssuedChannel): void;
}) {
  const { api } = useApp();
  const [deleting, setDeleting] = useState(false);
  const remove = useMutation({
    mutationFn: () => api.deleteChannel(projectId, channel.id),
    onSuccess: onChanged,
  });
  const rotate = useMutation({
    mutationFn: () => api.rotateChannelSecret(projectId, channel.id),
    onSuccess: (rotated) => {
      onRotated(rotated);
      onChanged();
    },
  });
  return (
    <tr data-testid={`channel-${channel.id}`}>
      <th scope="row">{channel.name}</th>
      <td>
        <span className="type">{TYPE_LABELS[channel.type]}</span>
        {channel.format === 'pagerduty' ? <span className="muted small"> PagerDuty</span> : null}
      </td>
      <td className="ellipsis" title={destinationOf(channel)}>
        <code>{destinationOf(channel)}</code>
      </td>
      <td>{channel.severities.join(', ')}</td>
      <td>{formatTime(Date.parse(channel.created_at))}</td>
      {canManage ? (
        <td>
          <div className="actions">
            <TestSend projectId={projectId} channel={channel} />
            {channel.type === 'webhook' ? (
              <button
                type="button"
                className="secondary small"
                aria-label={`Rotate the secret of ${channel.name}`}
                disabled={rotate.isPending}
                onClick={() => rotate.mutate()}
              >
                {rotate.isPending ? 'Rotating…' : 'Rotate secret'}
              </button>
            ) : null}
            <ConfirmDelete
              label="Delete"
              name={`Delete ${channel.name}`}
              confirm={`Delete ${channel.name}`}
              confirming={deleting}
              pending={remove.isPending}
              small
              onAsk={setDeleting}
              onConfirm={() => remove.mutate()}
            />
          </div>
          <ErrorMessage error={rotate.error ?? remove.error} />
        </td>
      ) : null}
    </tr>
  );
}

/** How long the log is read for a test send's outcome: the first attempt is seconds away. */
const TEST_OUTCOME_MS = 30_000;

/**
 * "Send test": queues a test notification, then reads the notification log until its first
 * attempt shows, and says what happened (delivered, failed and retried, or dropped and why).
 */
function TestSend({ projectId, channel }: { projectId: string; channel: ChannelView }) {
  const { api } = useApp();
  const queryClient = useQueryClient();
  const [sentAt, setSentAt] = useState(0);
  const send = useMutation({
    mutationFn: () => api.testChannel(projectId, channel.id),
    onMutate: () => setSentAt(Date.now()),
  });
  const notificationId = send.data?.notification_id;
  const outcome = useQuery({
    queryKey: ['test-outcome', projectId, notificationId],
    enabled: notificationId !== undefined,
    queryFn: async () => {
      const page = await api.notificationLog(projectId, { limit: 50 });
      void queryClient.invalidateQueries({ queryKey: ['notification-log', projectId] });
      return page.entries.find((entry) => entry.notification_id === notificationId) ?? null;
    },
    refetchInterval: (query) => (query.state.data || Date.now() - sentAt > TEST_OUTCOME_MS ? false : 1000),
  });
  const entry = outcome.data;
  return (
    <>
      <button
        type="button"
        className="secondary small"
        aria-label={`Send a test notification to ${channel.name}`}
        disabled={send.isPending}
        onClick={() => send.mutate()}
      >
        {send.isPending ? 'Sending…' : 'Send test'}
      </button>
      <span role="status" className="small test-outcome" data-testid={`test-outcome-${channel.id}`}>
        {send.error ? <span className="error-text">Not sent: {send.error.message}</span> : null}
        {notificationId && !entry && Date.now() - sentAt <= TEST_OUTCOME_MS ? 'Queued…' : null}
        {notificationId && !entry && outcome.isFetched && Date.now() - sentAt > TEST_OUTCOME_MS
          ? 'Queued; no attempt logged yet'
          : null}
        {entry ? <DeliveryStatus status={entry.status} error={entry.error} /> : null}
      </span>
    </>
  );
}

/** A delivery's status in words and colour (the colour is never the only sign). */
export function DeliveryStatus({ status, error }: { status: string; error?: string }) {
  const words = status === 'delivered' ? 'Delivered' : status === 'failed' ? 'Failed, will retry' : 'Dropped';
  return (
    <span className={`delivery ${status}`}>
      {words}
      {error ? <span className="muted">: {error}</span> : null}
    </span>
  );
}
