/**
 * Import a JSONL or CSV file into a dataset (`POST /v1/datasets/{id}/import`): a file chosen or text
 * pasted, its format, and optionally which columns (CSV) or keys (JSONL) are the inputs, the ground
 * truth and the chat history (the rest become metadata). Without a mapping the file must be in the
 * export's shape. The platform reads the whole file before storing anything: an error names the line.
 */
import { useMutation } from '@tanstack/react-query';
import { type JSX, useId, useState } from 'react';
import type { DataTarget } from '../api/client';
import type { DatapointMapping, DatasetFileFormat } from '../api/experiments';
import { useApp } from '../app/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { PanelForm } from '../components/PanelForm';
import { SelectField } from '../components/SelectField';
import { SubmitButton } from '../components/SubmitButton';
import { TextField } from '../components/TextField';

/**
 * The largest file sent: the datasets API takes bodies up to 4 MB (inside Lambda's 6 MB request
 * payload), and the file's text grows when it is escaped into the JSON body.
 */
export const MAX_IMPORT_BYTES = 3 * 1024 * 1024;

/** `a, b ,c` -> ['a', 'b', 'c']. */
export function columnList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** The mapping typed in, or undefined when no box names a column (the export's shape is expected). */
export function mappingOf(
  inputs: string,
  groundTruth: string,
  history: string,
): DatapointMapping | undefined {
  const mapping = {
    inputs: columnList(inputs),
    ground_truth: columnList(groundTruth),
    history: columnList(history),
  };
  return mapping.inputs.length + mapping.ground_truth.length + mapping.history.length === 0
    ? undefined
    : mapping;
}

const FORMAT_LABELS: Record<DatasetFileFormat, string> = {
  jsonl: 'JSONL (one object a line)',
  csv: 'CSV (a header row)',
};
const DATASET_FILE_FORMATS = Object.keys(FORMAT_LABELS) as DatasetFileFormat[];

export function formatOfFileName(name: string): DatasetFileFormat | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return 'jsonl';
  return undefined;
}

export function ImportPanel({
  target,
  datasetId,
  onClose,
  onImported,
}: {
  target: DataTarget;
  datasetId: string;
  onClose(): void;
  onImported(message: string): void;
}): JSX.Element {
  const { api } = useApp();
  const fileId = useId();
  const [format, setFormat] = useState<DatasetFileFormat>('jsonl');
  const [content, setContent] = useState('');
  const [fileName, setFileName] = useState<string | undefined>(undefined);
  const [fileError, setFileError] = useState<string | undefined>(undefined);
  const [inputs, setInputs] = useState('');
  const [groundTruth, setGroundTruth] = useState('');
  const [history, setHistory] = useState('');
  const run = useMutation({
    mutationFn: () =>
      api.importDataset(target, datasetId, {
        format,
        content,
        ...(mappingOf(inputs, groundTruth, history)
          ? { mapping: mappingOf(inputs, groundTruth, history) }
          : {}),
      }),
    onSuccess: ({ datapoint_ids: ids }) =>
      onImported(`Imported ${ids.length} datapoint${ids.length === 1 ? '' : 's'}.`),
  });
  const tooLarge = new Blob([content]).size > MAX_IMPORT_BYTES;
  return (
    <PanelForm
      title="Import datapoints"
      onClose={onClose}
      onSubmit={() => {
        if (content.trim() !== '' && !tooLarge && !run.isPending) run.mutate();
      }}
    >
      <div className="row">
        <span className="field">
          <label htmlFor={fileId}>File</label>
          <input
            id={fileId}
            type="file"
            accept=".jsonl,.ndjson,.json,.csv,text/csv,application/x-ndjson"
            onChange={(event) => {
              const file = event.target.files?.[0];
              setFileError(undefined);
              if (!file) return;
              if (file.size > MAX_IMPORT_BYTES) {
                setFileError(
                  `${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB: import at most 3 MB at a time (split the file).`,
                );
                return;
              }
              const detected = formatOfFileName(file.name);
              if (detected) setFormat(detected);
              setFileName(file.name);
              file.text().then(setContent, (error: unknown) => setFileError(String(error)));
            }}
          />
        </span>
        <SelectField
          label="Format"
          value={format}
          values={DATASET_FILE_FORMATS}
          optionLabel={(value) => FORMAT_LABELS[value]}
          onChange={setFormat}
        />
      </div>
      {fileError ? (
        <p className="bad small" role="alert">
          {fileError}
        </p>
      ) : null}
      <label className="field">
        <span>{fileName ? `Contents of ${fileName}` : 'Or paste the contents'}</span>
        <textarea
          className="json-input"
          rows={6}
          spellCheck={false}
          value={content}
          onChange={(event) => {
            setFileName(undefined);
            setContent(event.target.value);
          }}
        />
      </label>
      <fieldset className="stack">
        <legend>Mapping (optional)</legend>
        <p className="muted small">
          Name the columns (CSV) or keys (JSONL), separated by commas; the other fields become metadata. Leave
          all three empty for a file in the export's shape (<code>inputs</code>, <code>ground_truth</code>,{' '}
          <code>history</code>, <code>metadata</code>). At most 10,000 rows a file.
        </p>
        <div className="row">
          <TextField label="Input columns" className="grow" value={inputs} onChange={setInputs} />
          <TextField
            label="Ground truth columns"
            className="grow"
            value={groundTruth}
            onChange={setGroundTruth}
          />
          <TextField label="History columns" className="grow" value={history} onChange={setHistory} />
        </div>
      </fieldset>
      {tooLarge ? (
        <p className="bad small" role="alert">
          The contents are over 3 MB: import at most 3 MB at a time (split the file).
        </p>
      ) : null}
      <ErrorMessage error={run.error} title="Could not import" />
      <div className="actions">
        <SubmitButton pending={run.isPending} busy="Importing…" disabled={content.trim() === '' || tooLarge}>
          Import
        </SubmitButton>
      </div>
    </PanelForm>
  );
}
