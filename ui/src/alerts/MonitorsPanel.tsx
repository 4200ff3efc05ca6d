import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { type FormEvent, useId, useMemo, useState } from 'react';
import {
  MONITOR_AGGREGATIONS,
  type MonitorChange,
  type MonitorView,
  type MonitorWrite,
} from '../api/alert-calls';
import { isApiError } from '../api/client';
import { useApp, useTarget } from '../app/context';
import { CheckList } from '../components/CheckList';
import { ConfirmDelete } from '../components/ConfirmDelete';
import { ErrorMessage } from '../components/ErrorMessage';
import { FilterRows } from '../components/FilterRows';
import { formatCount, formatTime } from '../components/format';
import { QueryList } from '../components/QueryList';
import { SelectField } from '../components/SelectField';
import { SubmitButton } from '../components/SubmitButton';
import { DataTable } from '../components/Table';
import { TextField } from '../components/TextField';
import { BUCKET_MS, toSeries } from '../dashboard/buckets';
import { cssVar, TimeChart } from '../dashboard/Chart';
import { metricsQueryKey } from '../evaluators/MetricScores';
import { channelsQueryKey } from './ChannelsPanel';
import {
  describeMonitor,
  describeWindow,
  emptyMonitorForm,
  type FormErrors,
  formFromMonitor,
  MONITOR_EVENT_TYPES,
  MONITOR_FIELDS,
  MONITOR_FILTER_SUGGESTIONS,
  type MonitorForm,
  monitorBody,
  previewRequest,
  previewShape,
  WINDOW_CHOICES,
} from './monitor-form';
import { StateBadge } from './NotificationLog';

const route = getRouteApi('/signed-in/projects/$projectId/alerts');

export const monitorsQueryKey = (projectId: string) => ['monitors', projectId];

/**
 * The project's monitors: the list with each one's current state, and (?monitor=new or an id) the
 * form to create or change one beside a preview of its series with the thresholds, and its history
 * of state changes. Viewers see; members create, change and delete.
 */
export function MonitorsPanel({
  projectId,
  canManage,
  canSeeChannels,
}: {
  projectId: string;
  canManage: boolean;
  canSeeChannels: boolean;
}) {
  const { api } = useApp();
  const search = route.useSearch();
  const monitors = useQuery({
    queryKey: monitorsQueryKey(projectId),
    queryFn: () => api.listMonitors(projectId),
  });
  const open = search.monitor;
  const editing = open && open !== 'new' ? monitors.data?.find((monitor) => monitor.id === open) : undefined;
  return (
    <>
      <div className="row">
        <h2 className="grow">Monitors</h2>
        {canManage && open !== 'new' ? (
          <Link
            from="/projects/$projectId/alerts"
            to="."
            search={{ tab: 'monitors', monitor: 'new' }}
            className="link-button"
          >
            New monitor
          </Link>
        ) : null}
      </div>
      <p className="muted">
        A monitor aggregates a field of a project's events over a sliding window, every minute, and notifies
        its channels when it crosses its warning or critical level and when it comes back.
      </p>
      {open === 'new' && canManage ? (
        <MonitorEditor
          key="new"
          projectId={projectId}
          initial={emptyMonitorForm(search)}
          canSeeChannels={canSeeChannels}
        />
      ) : null}
      {editing ? (
        <MonitorEditor
          key={editing.id}
          projectId={projectId}
          monitor={editing}
          initial={formFromMonitor(editing)}
          canSeeChannels={canSeeChannels}
          readOnly={!canManage}
        />
      ) : null}
      {open && open !== 'new' && monitors.data && !editing ? (
        <p className="error" role="alert">
          No monitor {open} in this project.
        </p>
      ) : null}
      <QueryList
        query={monitors}
        what="monitors"
        empty={
          <div className="empty card">
            <p>No monitors yet.</p>
            <p className="muted small">
              Start one here, from a chart of the Dashboard ("Monitor this"), or from an evaluator (a monitor
              of its score).
            </p>
          </div>
        }
      >
        {(rows) => (
          <DataTable
            testId="monitors-table"
            caption="Monitors"
            columns={[
              'Name',
              'State',
              'Event type',
              'What',
              { label: 'Warning', numeric: true },
              { label: 'Critical', numeric: true },
              { label: 'Channels', numeric: true },
            ]}
          >
            {rows.map((monitor) => (
              <tr key={monitor.id} aria-current={monitor.id === open ? 'true' : undefined}>
                <th scope="row">
                  <Link
                    from="/projects/$projectId/alerts"
                    to="."
                    search={{ tab: 'monitors', monitor: monitor.id }}
                  >
                    {monitor.name}
                  </Link>
                </th>
                <td>
                  <StateBadge state={monitor.paused ? 'paused' : monitor.state} />
                </td>
                <td>{monitor.event_type}</td>
                <td>{describeMonitor(monitor)}</td>
                <td className="num">{monitor.warning ?? '–'}</td>
                <td className="num">{monitor.critical ?? '–'}</td>
                <td className="num">{monitor.channels?.length ?? 0}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryList>
    </>
  );
}

function MonitorEditor({
  projectId,
  monitor,
  initial,
  canSeeChannels,
  readOnly = false,
}: {
  projectId: string;
  monitor?: MonitorView;
  initial: MonitorForm;
  canSeeChannels: boolean;
  readOnly?: boolean;
}) {
  const { api } = useApp();
  const queryClient = useQueryClient();
  const navigate = route.useNavigate();
  const target = useTarget(projectId);
  const [form, setForm] = useState(initial);
  // Checked as the form changes once a save was tried, so a message goes as soon as it is fixed.
  const [tried, setTried] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const ids = { fields: useId(), window: useId() };
  const set = <K extends keyof MonitorForm>(key: K, value: MonitorForm[K]) =>
    setForm((current) => ({ ...current, [key]: value }));
  const channels = useQuery({
    queryKey: channelsQueryKey(projectId),
    queryFn: () => api.listChannels(projectId),
    enabled: canSeeChannels,
  });
  const metrics = useQuery({
    queryKey: metricsQueryKey(target.dataPlaneId, projectId),
    queryFn: () => api.listMetrics(target),
    staleTime: 60_000,
  });
  const closeTo = () => void navigate({ search: { tab: 'monitors' }, replace: true });
  const done = async (id?: string) => {
    await queryClient.invalidateQueries({ queryKey: monitorsQueryKey(projectId) });
    void navigate({ search: { tab: 'monitors', ...(id && { monitor: id }) }, replace: true });
  };
  const save = useMutation({
    mutationFn: (body: MonitorWrite) =>
      monitor ? api.updateMonitor(projectId, monitor.id, body) : api.createMonitor(projectId, body),
    onSuccess: (saved) => void done(saved.id),
  });
  const remove = useMutation({
    mutationFn: () => api.deleteMonitor(projectId, monitor?.id ?? ''),
    onSuccess: () => void done(),
  });
  const checked = monitorBody(form);
  const errors: FormErrors = tried && 'errors' in checked ? checked.errors : {};
  const levelField = (key: 'warning' | 'critical', label: string) => (
    <TextField
      label={label}
      type="number"
      step="any"
      value={form[key]}
      onChange={(value) => set(key, value)}
      aria-invalid={errors[key] ? true : undefined}
    />
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if ('body' in checked) save.mutate(checked.body);
  };
  const preview = 'body' in checked ? checked.body : undefined;
  const title = monitor ? monitor.name : 'New monitor';
  return (
    <div className="monitor-editor">
      <form
        className="card stack"
        onSubmit={submit}
        aria-label={monitor ? `Edit ${monitor.name}` : 'New monitor'}
      >
        <h3>{title}</h3>
        <fieldset className="bare stack" disabled={readOnly}>
          <TextField
            label="Name"
            value={form.name}
            onChange={(value) => set('name', value)}
            maxLength={200}
            aria-invalid={errors.name ? true : undefined}
          />
          {errors.name ? <span className="error inline">{errors.name}</span> : null}
          <div className="row monitor-fields">
            <SelectField
              label="Event type"
              value={form.event_type}
              values={MONITOR_EVENT_TYPES}
              onChange={(value) => set('event_type', value)}
            />
            <SelectField
              label="Aggregation"
              value={form.aggregation}
              values={MONITOR_AGGREGATIONS}
              onChange={(value) => set('aggregation', value)}
            />
            <TextField
              label="Field"
              list={ids.fields}
              value={form.field}
              onChange={(value) => set('field', value)}
              placeholder="errors, duration or metrics.<name>"
              aria-invalid={errors.field ? true : undefined}
            />
            <datalist id={ids.fields}>
              {MONITOR_FIELDS.map((field) => (
                <option key={field} value={field} />
              ))}
              {(metrics.data ?? []).map((metric) => (
                <option key={metric._id} value={`metrics.${metric.name}`} />
              ))}
            </datalist>
            <TextField
              label="Window (minutes)"
              type="number"
              min={5}
              max={44_640}
              step={1}
              list={ids.window}
              value={form.window}
              onChange={(value) => set('window', value)}
              aria-invalid={errors.window ? true : undefined}
            />
            <datalist id={ids.window}>
              {WINDOW_CHOICES.map((minutes) => (
                <option key={minutes} value={minutes} label={describeWindow(minutes)} />
              ))}
            </datalist>
          </div>
          {errors.field ? <span className="error inline">Field: {errors.field}</span> : null}
          {errors.window ? <span className="error inline">Window: {errors.window}</span> : null}
          <div className="row monitor-fields">
            {levelField('warning', 'Warning above')}
            {levelField('critical', 'Critical above')}
          </div>
          {errors.warning ? <span className="error inline">Warning: {errors.warning}</span> : null}
          {errors.critical ? <span className="error inline">Critical: {errors.critical}</span> : null}
          <fieldset className="group">
            <legend>Filters</legend>
            <FilterRows
              rows={form.filters}
              suggestions={MONITOR_FILTER_SUGGESTIONS}
              errors={errors.filters}
              onChange={(rows) => set('filters', rows)}
            />
            <p className="muted small">
              On event_name, source or model (is, is not) and error (exists, not exists): what per-minute
              rollups hold.
            </p>
          </fieldset>
          <fieldset className="group">
            <legend>Channels to notify</legend>
            {!canSeeChannels ? <p className="muted small">Your role does not see channels.</p> : null}
            <ErrorMessage error={channels.error} title="Could not list channels" />
            {channels.data && channels.data.length === 0 ? (
              <p className="muted small">
                No channels yet:{' '}
                <Link from="/projects/$projectId/alerts" to="." search={{ tab: 'channels' }}>
                  add one
                </Link>
                . A monitor without channels still keeps its state and history.
              </p>
            ) : null}
            <CheckList
              items={channels.data ?? []}
              idOf={(channel) => channel.id}
              selected={form.channels}
              onChange={(next) => set('channels', next)}
            >
              {(channel) => (
                <>
                  {channel.name} <span className="muted small">({channel.type})</span>
                </>
              )}
            </CheckList>
          </fieldset>
        </fieldset>
        <ErrorMessage error={save.error} title="Could not save the monitor" />
        <ErrorMessage error={remove.error} title="Could not delete the monitor" />
        <div className="row">
          {readOnly ? null : (
            <SubmitButton pending={save.isPending} busy="Saving…">
              {monitor ? 'Save changes' : 'Create monitor'}
            </SubmitButton>
          )}
          <button type="button" className="secondary" onClick={closeTo}>
            {readOnly ? 'Close' : 'Cancel'}
          </button>
          {monitor && !readOnly ? (
            <ConfirmDelete
              label="Delete monitor"
              confirm={`Delete ${monitor.name}`}
              confirming={deleting}
              pending={remove.isPending}
              onAsk={setDeleting}
              onConfirm={() => remove.mutate()}
            />
          ) : null}
        </div>
      </form>
      <div className="stack">
        <Preview projectId={projectId} body={preview} />
        {monitor ? <History projectId={projectId} monitorId={monitor.id} /> : null}
      </div>
    </div>
  );
}

/** The monitor's series over recent data (the chart read) with its warning and critical levels as lines. */
function Preview({ projectId, body }: { projectId: string; body: MonitorWrite | undefined }) {
  const { api } = useApp();
  const target = useTarget(projectId);
  // Read again when what is charted changes (not the name, channels or levels), once per change: the range ends now.
  const charted = body
    ? JSON.stringify({
        event_type: body.event_type,
        filters: body.filters,
        aggregation: body.aggregation,
        field: body.field,
        window_minutes: body.window_minutes,
      })
    : undefined;
  const request = useMemo(
    () =>
      charted === undefined ? undefined : previewRequest(JSON.parse(charted) as MonitorWrite, Date.now()),
    [charted],
  );
  const chart = useQuery({
    queryKey: ['monitor-preview', target.dataPlaneId, projectId, request],
    queryFn: () => api.chart(target, request as NonNullable<typeof request>),
    enabled: request !== undefined,
    placeholderData: keepPreviousData,
  });
  const drawn = useMemo(() => {
    if (!chart.data || !request || !body) return undefined;
    const to = Date.parse(String((request.dateRange as { $lte: string }).$lte));
    const from = Date.parse(String((request.dateRange as { $gte: string }).$gte));
    const laid = toSeries(chart.data.events, {
      bucket: request.bucket,
      from,
      to,
      fill: request.aggregation === 'count' || request.aggregation === 'sum' ? 0 : null,
      label: `${body.aggregation} of ${body.field}`,
    });
    // Threshold lines in the page's warning and danger colours, dashed (the legend names them too).
    const level = (label: string, value: number | null, stroke: string) =>
      value === null ? [] : [{ label, values: laid.x.map(() => value), stroke, dash: [6, 4] }];
    return {
      x: laid.x,
      series: [
        ...laid.series,
        ...level('warning', body.warning, cssVar('--focus', '#c75c00')),
        ...level('critical', body.critical, cssVar('--danger', '#b42318')),
      ],
      total: chart.data.totalEvents,
    };
  }, [chart.data, request, body]);
  const shape = body ? previewShape(body.window_minutes) : undefined;
  return (
    <figure className="card chart-card" aria-labelledby="monitor-preview-title" data-testid="monitor-preview">
      <figcaption id="monitor-preview-title">
        <strong>Preview</strong>
        {drawn ? <span className="muted small"> · {formatCount(drawn.total)} events charted</span> : null}
      </figcaption>
      {!body ? <p className="muted small">Complete the form to see the series and its thresholds.</p> : null}
      <ErrorMessage error={chart.error} title="Could not read the chart" />
      {chart.isLoading && body ? <p role="status">Loading the series…</p> : null}
      {drawn ? <TimeChart x={drawn.x} series={drawn.series} format={formatCount} height={200} /> : null}
      {shape && body ? (
        <p className="muted small">
          One point per {shape.bucket} over the last {describeWindow(shape.rangeMs / 60_000)}
          {BUCKET_MS[shape.bucket] / 60_000 !== body.window_minutes
            ? `; the monitor itself evaluates the last ${describeWindow(body.window_minutes)} every minute`
            : ''}
          .
        </p>
      ) : null}
    </figure>
  );
}

/** The monitor's state changes, newest first. */
function History({ projectId, monitorId }: { projectId: string; monitorId: string }) {
  const { api } = useApp();
  const history = useQuery({
    queryKey: ['monitor-history', projectId, monitorId],
    queryFn: () => api.monitorHistory(projectId, monitorId),
    refetchInterval: (query) => (unserved(query.state.error) ? false : 30_000),
    retry: (count, error) => !unserved(error) && count < 2,
  });
  const changes = [...(history.data ?? [])].sort((a, b) => timeOf(b) - timeOf(a));
  return (
    <section className="card" aria-labelledby="monitor-history-title">
      <h3 id="monitor-history-title">History</h3>
      {unserved(history.error) ? (
        <p className="muted small">This control plane does not serve monitor history.</p>
      ) : (
        <ErrorMessage error={history.error} title="Could not read the history" />
      )}
      {history.isLoading ? <p role="status">Loading the history…</p> : null}
      {history.data && changes.length === 0 ? (
        <p className="muted small">No state changes yet: a new monitor stays unknown until it has data.</p>
      ) : null}
      {changes.length > 0 ? (
        <DataTable
          testId="monitor-history"
          caption="State changes, newest first"
          columns={[
            'Time',
            'From',
            'To',
            { label: 'Value', numeric: true },
            { label: 'Threshold', numeric: true },
          ]}
        >
          {changes.map((change) => (
            <tr key={`${timeOf(change)}-${change.previous_state}-${change.state}`}>
              <td>{timeOf(change) ? formatTime(timeOf(change)) : '–'}</td>
              <td>{change.previous_state ? <StateBadge state={change.previous_state} /> : '–'}</td>
              <td>
                <StateBadge state={change.state} />
              </td>
              <td className="num">{change.value ?? '–'}</td>
              <td className="num">{change.threshold ?? '–'}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </section>
  );
}

/** A 404 for the history of a monitor that is listed: the route is not there (an older control plane). */
function unserved(error: unknown): boolean {
  return isApiError(error) && error.status === 404;
}

/** A change's time in epoch ms (0 when it has none). */
function timeOf(change: MonitorChange): number {
  const at = typeof change.at === 'string' ? Date.parse(change.at) : change.at;
  return at !== undefined && Number.isFinite(at) ? at : 0;
}
