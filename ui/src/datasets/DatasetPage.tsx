import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { type JSX, useState } from 'react';
import type { DataTarget } from '../api/client';
import type { DatapointWire, DatasetFileFormat, DatasetWire } from '../api/experiments';
import { atLeast, useApp, useProjectRole, useTarget } from '../app/context';
import { useTitle } from '../app/title';
import { ConfirmDelete } from '../components/ConfirmDelete';
import { downloadText, fileNameOf } from '../components/download';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatCount, formatTime } from '../components/format';
import { usePaging } from '../components/paging';
import { DataTable, Pager } from '../components/Table';
import { DatapointEditor } from './DatapointEditor';
import { DatasetVersions } from './DatasetVersions';
import { ImportPanel } from './ImportPanel';
import { shortJson } from './json-text';
import { datapointsKey, datasetKey, datasetsKey } from './queries';
import './datasets.css';

const route = getRouteApi('/signed-in/projects/$projectId/datasets/$datasetId');

const FILE_TYPES: Record<DatasetFileFormat, string> = { jsonl: 'application/x-ndjson', csv: 'text/csv' };

/** What is open under the head: the editor of a datapoint (its id, or 'new'), or the import form. */
type Panel = { kind: 'edit'; id: string } | { kind: 'new' } | { kind: 'import' } | undefined;

/**
 * One dataset: its datapoints in order (inputs, ground truth, metadata), each edited as JSON or
 * deleted; a datapoint added by hand or imported from a file; the dataset exported as JSONL or CSV;
 * its versions. Viewers see the same read-only.
 */
export function DatasetPage(): JSX.Element {
  const { projectId, datasetId } = route.useParams();
  const { api } = useApp();
  const target = useTarget(projectId);
  const { role } = useProjectRole(projectId);
  const canWrite = atLeast(role, 'member');
  const queryClient = useQueryClient();
  const dataset = useQuery({
    queryKey: datasetKey(target, datasetId),
    queryFn: () => api.getDataset(target, datasetId),
  });
  const name = dataset.data?.name;
  const datapoints = useQuery({
    queryKey: [...datapointsKey(target, datasetId), name],
    queryFn: () => api.datasetDatapoints(target, name ?? ''),
    enabled: name !== undefined,
  });
  useTitle(name ? `Dataset ${name}` : 'Dataset');
  const [panel, setPanel] = useState<Panel>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const refresh = (message?: string) => {
    setNotice(message);
    void queryClient.invalidateQueries({ queryKey: datasetsKey(target) });
  };
  const exportFile = useMutation({
    mutationFn: async ({ format, version }: { format: DatasetFileFormat; version?: number }) => {
      const text = await api.exportDataset(target, datasetId, format, version);
      const suffix = version === undefined ? '' : `-v${version}`;
      downloadText(`${fileNameOf(name ?? datasetId)}${suffix}.${format}`, text, FILE_TYPES[format]);
      return { format, version };
    },
  });
  const list = datapoints.data?.datapoints ?? [];
  const editing = panel?.kind === 'edit' ? list.findIndex((datapoint) => datapoint._id === panel.id) : -1;
  return (
    <>
      <p className="crumbs">
        <Link to="/projects/$projectId/datasets" params={{ projectId }}>
          ← Datasets
        </Link>
      </p>
      <ErrorMessage error={dataset.error} title="Could not load the dataset" />
      {dataset.isLoading ? (
        <p className="muted" role="status">
          Loading dataset…
        </p>
      ) : null}
      {dataset.isSuccess && !dataset.data ? (
        <p className="muted card">No dataset {datasetId} in this project: it may have been deleted.</p>
      ) : null}
      {dataset.data ? (
        <>
          <DatasetHead
            dataset={dataset.data}
            target={target}
            canWrite={canWrite}
            exporting={exportFile.isPending}
            onPanel={(next) => {
              setNotice(undefined);
              setPanel(next);
            }}
            onExport={(format) => exportFile.mutate({ format })}
          />
          <ErrorMessage error={exportFile.error} title="Could not export" />
          {notice ? (
            <p role="status" className="notice" data-testid="dataset-notice">
              {notice}
            </p>
          ) : null}
          {panel?.kind === 'import' ? (
            <ImportPanel
              target={target}
              datasetId={datasetId}
              onClose={() => setPanel(undefined)}
              onImported={(message) => {
                setPanel(undefined);
                refresh(message);
              }}
            />
          ) : null}
          {panel?.kind === 'new' || (panel?.kind === 'edit' && editing >= 0) ? (
            <DatapointEditor
              key={panel.kind === 'edit' ? panel.id : 'new'}
              target={target}
              datasetId={datasetId}
              datapoint={panel.kind === 'edit' ? list[editing] : undefined}
              position={editing + 1}
              onClose={() => setPanel(undefined)}
              onSaved={(message) => {
                setPanel(undefined);
                refresh(message);
              }}
            />
          ) : null}
          <ErrorMessage error={datapoints.error} title="Could not load the datapoints" />
          {datapoints.isLoading ? (
            <p className="muted" role="status">
              Loading datapoints…
            </p>
          ) : null}
          {datapoints.isSuccess && list.length === 0 ? (
            <p className="muted card" data-testid="no-datapoints">
              No datapoints yet. Add one by hand, import a JSONL or CSV file, or add events from their detail
              (<strong>Add to dataset</strong>).
            </p>
          ) : null}
          {list.length > 0 ? (
            <DatapointTable
              target={target}
              list={list}
              canWrite={canWrite}
              selectedId={panel?.kind === 'edit' ? panel.id : undefined}
              onEdit={(id) => {
                setNotice(undefined);
                setPanel({ kind: 'edit', id });
              }}
              onDeleted={(position) => {
                if (panel?.kind === 'edit') setPanel(undefined);
                refresh(`Deleted datapoint ${position}.`);
              }}
            />
          ) : null}
          <DatasetVersions
            target={target}
            datasetId={datasetId}
            canWrite={canWrite}
            onExport={(format, version) => exportFile.mutate({ format, version })}
          />
        </>
      ) : null}
    </>
  );
}

function DatasetHead({
  dataset,
  target,
  canWrite,
  exporting,
  onPanel,
  onExport,
}: {
  dataset: DatasetWire;
  target: DataTarget;
  canWrite: boolean;
  exporting: boolean;
  onPanel(panel: Panel): void;
  onExport(format: DatasetFileFormat): void;
}): JSX.Element {
  const { api } = useApp();
  const queryClient = useQueryClient();
  const navigate = route.useNavigate();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const remove = useMutation({
    mutationFn: () => api.deleteDataset(target, dataset._id),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: datasetsKey(target) });
      void navigate({ to: '/projects/$projectId/datasets', params: { projectId: target.projectId } });
    },
  });
  return (
    <>
      <div className="page-head">
        <h1>{dataset.name}</h1>
        <span className="muted" data-testid="datapoint-count">
          {formatCount(dataset.num_points)} datapoint{dataset.num_points === 1 ? '' : 's'} · updated{' '}
          {formatTime(Date.parse(dataset.updated_at))}
        </span>
      </div>
      {dataset.description ? <p className="muted">{dataset.description}</p> : null}
      <div className="actions dataset-actions">
        {canWrite ? (
          <>
            <button type="button" onClick={() => onPanel({ kind: 'new' })}>
              Add datapoint
            </button>
            <button type="button" className="secondary" onClick={() => onPanel({ kind: 'import' })}>
              Import…
            </button>
          </>
        ) : null}
        <button type="button" className="secondary" disabled={exporting} onClick={() => onExport('jsonl')}>
          Export JSONL
        </button>
        <button type="button" className="secondary" disabled={exporting} onClick={() => onExport('csv')}>
          Export CSV
        </button>
        <span className="grow" />
        {canWrite ? (
          <ConfirmDelete
            label="Delete dataset…"
            confirm={`Delete ${dataset.name} for good`}
            confirming={confirmDelete}
            pending={remove.isPending}
            onAsk={setConfirmDelete}
            onConfirm={() => remove.mutate()}
          />
        ) : null}
      </div>
      {confirmDelete ? (
        <p className="muted small" role="status">
          Its datapoints stay (unlinked) and runs keep their results.
        </p>
      ) : null}
      <ErrorMessage error={remove.error} title="Could not delete the dataset" />
    </>
  );
}

function DatapointTable({
  target,
  list,
  canWrite,
  selectedId,
  onEdit,
  onDeleted,
}: {
  target: DataTarget;
  list: DatapointWire[];
  canWrite: boolean;
  selectedId: string | undefined;
  onEdit(id: string): void;
  onDeleted(position: number): void;
}): JSX.Element {
  const { api } = useApp();
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const paging = usePaging(list);
  const remove = useMutation({
    mutationFn: (datapoint: DatapointWire) => api.deleteDatapoint(target, datapoint._id),
    onSuccess: (_answer, datapoint) => {
      setConfirming(undefined);
      onDeleted(list.indexOf(datapoint) + 1);
    },
  });
  return (
    <>
      <ErrorMessage error={remove.error} title="Could not delete the datapoint" />
      <DataTable
        testId="datapoints-table"
        caption="Datapoints"
        columns={[
          { label: '#', numeric: true },
          'Inputs',
          'Ground truth',
          'Metadata',
          'Source',
          canWrite && { label: 'Actions', hidden: true },
        ]}
      >
        {paging.shown.map((datapoint, shownIndex) => {
          const position = paging.offset + shownIndex + 1;
          return (
            <tr key={datapoint._id} aria-current={datapoint._id === selectedId ? 'true' : undefined}>
              <th scope="row" className="num">
                {position}
              </th>
              <td className="json-cell">
                <code>{shortJson(datapoint.inputs)}</code>
              </td>
              <td className="json-cell">
                <code>{shortJson(datapoint.ground_truth)}</code>
              </td>
              <td className="json-cell">
                <code>{shortJson(datapoint.metadata, 80)}</code>
              </td>
              <td>
                {datapoint.linked_event ? (
                  <span title={datapoint.linked_event}>event {datapoint.linked_event.slice(0, 8)}</span>
                ) : (
                  <span className="muted">by hand or import</span>
                )}
              </td>
              {canWrite ? (
                <td>
                  <span className="actions nowrap">
                    <button
                      type="button"
                      className="secondary small"
                      aria-label={`Edit datapoint ${position}`}
                      onClick={() => onEdit(datapoint._id)}
                    >
                      Edit
                    </button>
                    <ConfirmDelete
                      small
                      label="Delete"
                      name={`Delete datapoint ${position}`}
                      confirm={`Delete datapoint ${position} for good`}
                      confirming={confirming === datapoint._id}
                      pending={remove.isPending}
                      onAsk={(asking) => setConfirming(asking ? datapoint._id : undefined)}
                      onConfirm={() => remove.mutate(datapoint)}
                    />
                  </span>
                </td>
              ) : null}
            </tr>
          );
        })}
      </DataTable>
      {paging.paged ? <Pager {...paging.pager} noun="datapoints" /> : null}
    </>
  );
}
