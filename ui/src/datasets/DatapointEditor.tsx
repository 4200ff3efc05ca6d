/**
 * A datapoint's sections as JSON boxes (inputs, ground truth, chat history, metadata), each checked as
 * it is typed; nothing is sent while one is wrong. Saving a stored datapoint sends every section
 * (`PUT /v1/datapoints/{id}`); a new one is created in the dataset (`POST /v1/datapoints` with the
 * dataset in `linked_datasets`).
 */
import { useMutation } from '@tanstack/react-query';
import { type JSX, useState } from 'react';
import type { DataTarget } from '../api/client';
import type { DatapointPatch, DatapointWire } from '../api/experiments';
import { useApp } from '../app/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { JsonField } from '../components/JsonField';
import { PanelForm } from '../components/PanelForm';
import { FixMarkedNote, SubmitButton } from '../components/SubmitButton';
import { jsonText, parseJsonObject, parseJsonObjectList } from './json-text';

interface Draft {
  inputs: string;
  groundTruth: string;
  history: string;
  metadata: string;
}

function draftOf(datapoint: DatapointWire | undefined): Draft {
  return {
    inputs: jsonText(datapoint?.inputs),
    groundTruth: jsonText(datapoint?.ground_truth),
    history: jsonText(datapoint?.history),
    metadata: jsonText(datapoint?.metadata),
  };
}

/** The draft as the API's sections, or the error of each box that is wrong. */
export function checkDraft(draft: Draft): {
  body?: Required<Omit<DatapointPatch, 'linked_datasets'>>;
  errors: Partial<Record<keyof Draft, string>>;
} {
  const inputs = parseJsonObject(draft.inputs);
  const groundTruth = parseJsonObject(draft.groundTruth);
  const history = parseJsonObjectList(draft.history);
  const metadata = parseJsonObject(draft.metadata);
  const errors: Partial<Record<keyof Draft, string>> = {};
  if (inputs.error !== undefined) errors.inputs = inputs.error;
  else if (Object.keys(inputs.value).length === 0)
    errors.inputs = 'A datapoint needs inputs: a JSON object with at least one key.';
  if (groundTruth.error !== undefined) errors.groundTruth = groundTruth.error;
  if (history.error !== undefined) errors.history = history.error;
  if (metadata.error !== undefined) errors.metadata = metadata.error;
  if (
    Object.keys(errors).length > 0 ||
    !inputs.value ||
    !groundTruth.value ||
    !history.value ||
    !metadata.value
  )
    return { errors };
  return {
    errors,
    body: {
      inputs: inputs.value,
      ground_truth: groundTruth.value,
      history: history.value,
      metadata: metadata.value,
    },
  };
}

export function DatapointEditor({
  target,
  datasetId,
  datapoint,
  position,
  onClose,
  onSaved,
}: {
  target: DataTarget;
  datasetId: string;
  /** The stored datapoint, or undefined for a new one. */
  datapoint: DatapointWire | undefined;
  /** Its row number in the table (1-based), for the heading. */
  position?: number;
  onClose(): void;
  onSaved(message: string): void;
}): JSX.Element {
  const { api } = useApp();
  const [draft, setDraft] = useState<Draft>(() => draftOf(datapoint));
  const [touched, setTouched] = useState(false);
  const checked = checkDraft(draft);
  // Errors show as the user types once a box holds text; all of them after a save is tried.
  const shown = (key: keyof Draft) => (touched || draft[key].trim() !== '' ? checked.errors[key] : undefined);
  const save = useMutation({
    mutationFn: async (body: NonNullable<typeof checked.body>) => {
      if (datapoint) await api.updateDatapoint(target, datapoint._id, body);
      else await api.createDatapoint(target, { ...body, linked_datasets: [datasetId] });
    },
    onSuccess: () =>
      onSaved(datapoint ? `Saved datapoint ${position ?? datapoint._id}.` : 'Added a datapoint.'),
  });
  const set = (key: keyof Draft) => (value: string) =>
    setDraft((previous) => ({ ...previous, [key]: value }));
  return (
    <PanelForm
      className="datapoint-editor"
      title={datapoint ? `Edit datapoint ${position ?? datapoint._id}` : 'New datapoint'}
      onClose={onClose}
      onSubmit={() => {
        setTouched(true);
        if (checked.body && !save.isPending) save.mutate(checked.body);
      }}
    >
      {datapoint ? (
        <p className="muted small">
          <code>{datapoint._id}</code>
          {datapoint.linked_event ? (
            <>
              {' '}
              · made from event <code>{datapoint.linked_event}</code>
            </>
          ) : null}
        </p>
      ) : null}
      <div className="datapoint-fields">
        <JsonField label="Inputs" value={draft.inputs} error={shown('inputs')} onChange={set('inputs')} />
        <JsonField
          label="Ground truth"
          value={draft.groundTruth}
          error={shown('groundTruth')}
          hint="The expected output; empty for none."
          onChange={set('groundTruth')}
        />
        <JsonField
          label="Chat history"
          value={draft.history}
          error={shown('history')}
          hint="A list of messages; empty for none."
          rows={3}
          onChange={set('history')}
        />
        <JsonField
          label="Metadata"
          value={draft.metadata}
          error={shown('metadata')}
          rows={3}
          onChange={set('metadata')}
        />
      </div>
      <ErrorMessage error={save.error} title="Could not save the datapoint" />
      <div className="actions">
        <SubmitButton pending={save.isPending} busy="Saving…">
          {datapoint ? 'Save datapoint' : 'Add datapoint'}
        </SubmitButton>
        <FixMarkedNote shown={touched && !checked.body} what="JSON" />
      </div>
    </PanelForm>
  );
}
