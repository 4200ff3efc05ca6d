/**
 * A dataset's versions (`GET /v1/datasets/{id}/versions`): immutable snapshots a run can name. Members
 * save the dataset as it is now as a new version (`POST`, with an optional description); each version
 * can be exported as it was.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type JSX, useId, useState } from 'react';
import type { DataTarget } from '../api/client';
import type { DatasetFileFormat } from '../api/experiments';
import { useApp } from '../app/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatCount, formatTime } from '../components/format';
import { SubmitButton } from '../components/SubmitButton';
import { DataTable } from '../components/Table';
import { TextField } from '../components/TextField';
import { versionsKey } from './queries';

export function DatasetVersions({
  target,
  datasetId,
  canWrite,
  onExport,
}: {
  target: DataTarget;
  datasetId: string;
  canWrite: boolean;
  onExport(format: DatasetFileFormat, version: number): void;
}): JSX.Element {
  const { api } = useApp();
  const queryClient = useQueryClient();
  const headingId = useId();
  const [description, setDescription] = useState('');
  const versions = useQuery({
    queryKey: versionsKey(target, datasetId),
    queryFn: () => api.datasetVersions(target, datasetId),
  });
  const save = useMutation({
    mutationFn: () => api.createDatasetVersion(target, datasetId, description.trim()),
    onSuccess: () => {
      setDescription('');
      void queryClient.invalidateQueries({ queryKey: versionsKey(target, datasetId) });
    },
  });
  const list = [...(versions.data?.versions ?? [])].sort((a, b) => b.number - a.number);
  return (
    <section className="card stack" aria-labelledby={headingId}>
      <h2 id={headingId}>Versions</h2>
      {canWrite ? (
        <form
          className="row align-end"
          onSubmit={(event) => {
            event.preventDefault();
            if (!save.isPending) save.mutate();
          }}
        >
          <TextField
            label="Version description"
            className="grow"
            value={description}
            maxLength={4000}
            onChange={setDescription}
          />
          <SubmitButton pending={save.isPending} busy="Saving…">
            Save as version
          </SubmitButton>
        </form>
      ) : null}
      <ErrorMessage error={save.error} title="Could not save a version" />
      {save.data ? (
        <p role="status" className="muted small">
          Saved version {save.data.version.number} ({formatCount(save.data.version.datapoint_count)}{' '}
          datapoints).
        </p>
      ) : null}
      <ErrorMessage error={versions.error} title="Could not list the versions" />
      {versions.isLoading ? <p className="muted small">Loading…</p> : null}
      {versions.isSuccess && list.length === 0 ? (
        <p className="muted small" data-testid="no-versions">
          No versions yet. A version keeps the datapoints as they are now, so a run can say exactly what it
          ran over.
        </p>
      ) : null}
      {list.length > 0 ? (
        <DataTable
          testId="dataset-versions"
          caption="Dataset versions"
          columns={[
            'Version',
            'Saved',
            { label: 'Datapoints', numeric: true },
            'Description',
            { label: 'Export', hidden: true },
          ]}
        >
          {list.map((version) => (
            <tr key={version.number}>
              <th scope="row">v{version.number}</th>
              <td>{formatTime(Date.parse(version.created_at))}</td>
              <td className="num">{formatCount(version.datapoint_count)}</td>
              <td>{version.description}</td>
              <td>
                <span className="actions">
                  {(['jsonl', 'csv'] as const).map((format) => (
                    <button
                      key={format}
                      type="button"
                      className="secondary small"
                      aria-label={`Export version ${version.number} as ${format.toUpperCase()}`}
                      onClick={() => onExport(format, version.number)}
                    >
                      {format.toUpperCase()}
                    </button>
                  ))}
                </span>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </section>
  );
}
