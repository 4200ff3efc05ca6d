import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { type JSX, useEffect, useId, useState } from 'react';
import type { DataTarget, MetricWire } from '../api/client';
import { atLeast, useApp, useProjectRole, useTarget } from '../app/context';
import { useFieldSuggestions } from '../app/hooks';
import { useTitle } from '../app/title';
import { ErrorMessage } from '../components/ErrorMessage';
import { TableHead } from '../components/Table';
import { Backfill } from '../evaluators/Backfill';
import { DryRun } from '../evaluators/DryRun';
import {
  checkForm,
  emptyForm,
  filterErrors,
  formFromMetric,
  type MetricForm,
  metricBody,
  passRuleText,
  TYPE_LABELS,
} from '../evaluators/form';
import { MetricFormFields } from '../evaluators/MetricFormFields';
import { metricsQueryKey } from '../evaluators/MetricScores';
import { Versions } from '../evaluators/Versions';
import '../evaluators/evaluators.css';
import { PanelForm } from '../components/PanelForm';
import { FixMarkedNote, SubmitButton } from '../components/SubmitButton';

const route = getRouteApi('/signed-in/projects/$projectId/evaluators');

/** A save the data plane's synced copy has not shown yet (config sync: within a second locally). */
interface Pending {
  id: string;
  version: number;
}

/** How long the list is asked again for a save (the sync's batching window on AWS is seconds). */
const WAIT_FOR_SYNC_MS = 30_000;

/**
 * The project's evaluators (HoneyHive's metrics): the list, a form to create or change one (a new
 * version each time), its versions, and a dry run on one stored event. Reads come from the data
 * plane's synced copy; writes go through the data plane to the control plane (docs/evaluators.md).
 */
export function EvaluatorsPage(): JSX.Element {
  const { projectId } = route.useParams();
  const { metric: selectedId } = route.useSearch();
  const navigate = route.useNavigate();
  const { api } = useApp();
  const target = useTarget(projectId);
  const { role } = useProjectRole(projectId);
  const canWrite = atLeast(role, 'member');
  useTitle('Evaluators');
  const [pending, setPending] = useState<(Pending & { since: number }) | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  // A deleted metric leaves this data plane's synced copy a moment after the control plane deletes it.
  const [deleted, setDeleted] = useState<{ id: string; since: number } | undefined>(undefined);
  const metrics = useQuery({
    queryKey: metricsQueryKey(target.dataPlaneId, target.projectId),
    queryFn: () => api.listMetrics(target),
    refetchInterval: (query) =>
      (pending && !hasReached(query.state.data, pending) && Date.now() - pending.since < WAIT_FOR_SYNC_MS) ||
      (deleted &&
        (query.state.data ?? []).some((metric) => metric._id === deleted.id) &&
        Date.now() - deleted.since < WAIT_FOR_SYNC_MS)
        ? 1000
        : false,
  });
  const list = [...(metrics.data ?? [])]
    .filter((metric) => metric._id !== deleted?.id)
    .sort((a, b) => a.name.localeCompare(b.name));
  const selected = selectedId === undefined ? undefined : list.find((metric) => metric._id === selectedId);
  const creating = selectedId === 'new';
  // A new metric opens once this data plane has it (its form then edits the stored metric).
  useEffect(() => {
    if (pending && hasReached(metrics.data, pending)) {
      setPending(undefined);
      if (selectedId !== pending.id) void navigate({ search: { metric: pending.id }, replace: true });
    }
  }, [pending, metrics.data, selectedId, navigate]);
  const open = (id: string | undefined) => {
    setNotice(undefined);
    void navigate({ search: id === undefined ? {} : { metric: id } });
  };
  return (
    <>
      <div className="page-head">
        <h1>Evaluators</h1>
        {canWrite ? (
          <button type="button" onClick={() => open('new')} disabled={creating}>
            New evaluator
          </button>
        ) : null}
      </div>
      <ErrorMessage error={metrics.error} title="Could not list the evaluators" />
      <MetricTable list={list} loading={metrics.isLoading} selectedId={selectedId} onOpen={open} />
      {notice ? (
        <p role="status" className="notice" data-testid="evaluator-notice">
          {notice}
        </p>
      ) : null}
      {pending ? (
        <p role="status" className="muted small">
          {metrics.isFetching || Date.now() - pending.since < WAIT_FOR_SYNC_MS
            ? `Waiting for version ${pending.version} to reach this data plane…`
            : `Version ${pending.version} has not reached this data plane yet.`}{' '}
          <button type="button" className="secondary small" onClick={() => void metrics.refetch()}>
            Look again
          </button>
        </p>
      ) : null}
      {creating || selected ? (
        <Editor
          key={selected?._id ?? 'new'}
          target={target}
          metric={selected}
          metrics={list}
          canWrite={canWrite}
          roleKnown={role !== undefined}
          onClose={() => open(undefined)}
          onSaved={(saved, name) => {
            setNotice(`Saved ${name} as version ${saved.version}.`);
            setPending({ ...saved, since: Date.now() });
          }}
          onDeleted={(id, name) => {
            setDeleted({ id, since: Date.now() });
            open(undefined);
            setNotice(`Deleted ${name}. Its scores stay on the events they were written to.`);
          }}
        />
      ) : selectedId !== undefined && metrics.data && !pending ? (
        <p className="muted">No evaluator {selectedId} in this project.</p>
      ) : null}
    </>
  );
}

function hasReached(list: readonly MetricWire[] | undefined, pending: Pending): boolean {
  return (list ?? []).some((metric) => metric._id === pending.id && metric.version >= pending.version);
}

function MetricTable({
  list,
  loading,
  selectedId,
  onOpen,
}: {
  list: MetricWire[];
  loading: boolean;
  selectedId: string | undefined;
  onOpen(id: string): void;
}): JSX.Element {
  const captionId = useId();
  if (loading) return <p className="muted">Loading…</p>;
  if (list.length === 0)
    return (
      <p className="muted card" data-testid="no-evaluators">
        No evaluators yet. An evaluator scores events: Python code or an LLM judge, run online on new events
        when enabled in production, or once on one event with a dry run.
      </p>
    );
  return (
    <div className="table-wrap card">
      <table className="data" aria-labelledby={captionId}>
        <caption id={captionId} className="sr-only">
          Evaluators
        </caption>
        <TableHead
          columns={[
            'Name',
            'Type',
            'Return type',
            'Passes',
            'Enabled in prod',
            { label: 'Sampling', numeric: true },
            { label: 'Version', numeric: true },
            { label: 'Actions', hidden: true },
          ]}
        />
        <tbody>
          {list.map((metric) => (
            <tr key={metric._id} aria-current={metric._id === selectedId ? 'true' : undefined}>
              <th scope="row">{metric.name}</th>
              <td>
                <span className="type">{TYPE_LABELS[metric.type] ?? metric.type}</span>
              </td>
              <td>{metric.return_type}</td>
              <td>{passRuleText(metric)}</td>
              <td>
                <span className={metric.enabled_in_prod ? 'status ok' : 'status off'}>
                  {metric.enabled_in_prod ? 'Enabled' : 'Off'}
                </span>
              </td>
              <td className="num">{metric.sampling_percentage}%</td>
              <td className="num">v{metric.version}</td>
              <td>
                <button
                  type="button"
                  className="secondary small"
                  aria-label={`Edit ${metric.name}`}
                  onClick={() => onOpen(metric._id)}
                >
                  Edit
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Editor({
  target,
  metric,
  metrics,
  canWrite,
  roleKnown,
  onClose,
  onSaved,
  onDeleted,
}: {
  target: DataTarget;
  metric: MetricWire | undefined;
  /** The project's metrics (a composite's children). */
  metrics: readonly MetricWire[];
  canWrite: boolean;
  /** The user's role has been read (before that, nothing is said about what it allows). */
  roleKnown: boolean;
  onClose(): void;
  onSaved(saved: Pending, name: string): void;
  onDeleted(id: string, name: string): void;
}): JSX.Element {
  const { api } = useApp();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<MetricForm>(() => (metric ? formFromMetric(metric) : emptyForm()));
  const [touched, setTouched] = useState(false);
  const suggestions = useFieldSuggestions(target);
  const errors = checkForm(form, { metrics, selfId: metric?._id, suggestions });
  const valid = Object.keys(errors).length === 0;
  const save = useMutation({
    mutationFn: async (): Promise<Pending> => {
      const body = metricBody(form, suggestions);
      if (metric) {
        const answer = await api.updateMetric(target, metric._id, body);
        return { id: metric._id, version: answer.version };
      }
      const answer = await api.createMetric(target, body);
      return { id: answer.metric_id, version: answer.version };
    },
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: metricsQueryKey(target.dataPlaneId, target.projectId) });
      onSaved(saved, form.name.trim());
    },
  });
  const [confirmDelete, setConfirmDelete] = useState(false);
  const remove = useMutation({
    mutationFn: (id: string) => api.deleteMetric(target, id),
    onSuccess: (_answer, id) => {
      void queryClient.invalidateQueries({ queryKey: metricsQueryKey(target.dataPlaneId, target.projectId) });
      onDeleted(id, metric?.name ?? id);
    },
  });
  return (
    <div className="evaluator-editor">
      <PanelForm
        title={metric ? `Edit ${metric.name} (v${metric.version})` : 'New evaluator'}
        onClose={onClose}
        onSubmit={() => {
          setTouched(true);
          if (valid && canWrite) save.mutate();
        }}
      >
        <fieldset className="plain" disabled={!canWrite}>
          <MetricFormFields
            form={form}
            errors={touched ? errors : {}}
            filterRowErrors={touched ? filterErrors(form, suggestions) : {}}
            metrics={metrics}
            selfId={metric?._id}
            suggestions={suggestions}
            onChange={setForm}
          />
        </fieldset>
        <ErrorMessage error={save.error} title="Could not save" />
        <ErrorMessage error={remove.error} title="Could not delete" />
        <div className="actions">
          {canWrite ? (
            <SubmitButton pending={save.isPending} busy="Saving…">
              {metric ? 'Save as new version' : 'Create evaluator'}
            </SubmitButton>
          ) : roleKnown ? (
            <span className="muted small">Viewers cannot change evaluators: a member or above can.</span>
          ) : null}
          <FixMarkedNote shown={touched && !valid} what="fields" />
          {metric && canWrite ? (
            confirmDelete ? (
              <>
                <button
                  type="button"
                  className="danger"
                  disabled={remove.isPending}
                  onClick={() => remove.mutate(metric._id)}
                >
                  {remove.isPending ? 'Deleting…' : `Delete ${metric.name} for good`}
                </button>
                <button type="button" className="secondary small" onClick={() => setConfirmDelete(false)}>
                  Keep it
                </button>
              </>
            ) : (
              <button type="button" className="secondary" onClick={() => setConfirmDelete(true)}>
                Delete…
              </button>
            )
          ) : null}
        </div>
      </PanelForm>
      <div className="stack">
        {form.type === 'human' ? (
          // run_metric refuses a human metric: reviewers score it.
          <section className="card stack" aria-label="Review">
            <p className="muted small" data-testid="human-review-note">
              A human metric has nothing to run: reviewers score it on the{' '}
              <Link
                to="/projects/$projectId/review"
                params={{ projectId: target.projectId }}
                search={metric ? { metric: metric._id } : {}}
              >
                Review
              </Link>{' '}
              page, or add an event to its queue from the event's detail.
            </p>
          </section>
        ) : (
          <DryRun
            target={target}
            form={form}
            metric={metric}
            formValid={valid}
            canRun={canWrite}
            suggestions={suggestions}
          />
        )}
        {metric && metric.type !== 'human' ? (
          <Backfill target={target} metric={metric} canRun={canWrite} />
        ) : null}
        {metric ? (
          <section className="card" aria-label="Alerts">
            <p className="muted small">
              Be told when its scores move:{' '}
              <Link
                to="/projects/$projectId/alerts"
                params={{ projectId: target.projectId }}
                search={{
                  tab: 'monitors',
                  monitor: 'new',
                  field: `metrics.${metric.name}`,
                  aggregation: 'avg',
                  ...(metric.event_type && { event_type: metric.event_type }),
                }}
              >
                Create a monitor of {metric.name}
              </Link>
            </p>
          </section>
        ) : null}
        {metric ? <Versions target={target} metric={metric} /> : null}
      </div>
    </div>
  );
}
