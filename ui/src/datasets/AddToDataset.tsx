/**
 * "Add to dataset" on an event's (or a session's) detail: the event becomes a datapoint of a chosen
 * dataset, or of a new one named here (from-event.ts says what is copied). Shown only inside the
 * console (its query cache and app context), to members and above.
 */
import { QueryClientContext, useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { type JSX, useContext, useId, useState } from 'react';
import type { WaggleEvent } from '../api/types';
import { atLeast, useApp, useProjectRole, useTarget } from '../app/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { TextField } from '../components/TextField';
import { datapointFromEvent } from './from-event';
import { datasetsKey, useDatasets } from './queries';
import './datasets.css';

const NEW = '__new__';

export function AddToDataset({ event }: { event: WaggleEvent }): JSX.Element | null {
  const client = useContext(QueryClientContext);
  if (!client) return null;
  return <ProjectAddToDataset event={event} />;
}

function ProjectAddToDataset({ event }: { event: WaggleEvent }): JSX.Element | null {
  const params = useParams({ strict: false });
  const projectId = params.projectId ?? event.project_id ?? '';
  const { role } = useProjectRole(projectId);
  const [open, setOpen] = useState(false);
  if (projectId === '' || !atLeast(role, 'member')) return null;
  if (!open)
    return (
      <div className="wg-add-dataset">
        <button type="button" className="secondary small" onClick={() => setOpen(true)}>
          Add to dataset…
        </button>
      </div>
    );
  return <AddForm event={event} projectId={projectId} onClose={() => setOpen(false)} />;
}

function AddForm({
  event,
  projectId,
  onClose,
}: {
  event: WaggleEvent;
  projectId: string;
  onClose(): void;
}): JSX.Element {
  const { api } = useApp();
  const target = useTarget(projectId);
  const queryClient = useQueryClient();
  const selectId = useId();
  const datasets = useDatasets(target);
  const list = datasets.data ?? [];
  const [chosen, setChosen] = useState('');
  const [newName, setNewName] = useState('');
  // With no dataset yet, the form starts on a new one.
  const choice = chosen !== '' ? chosen : list.length === 0 ? NEW : (list[0]?._id ?? NEW);
  const planned = datapointFromEvent(event, 'pending');
  const add = useMutation({
    mutationFn: async (): Promise<{ datasetId: string; name: string }> => {
      let datasetId = choice;
      let name = list.find((dataset) => dataset._id === choice)?.name ?? '';
      if (choice === NEW) {
        name = newName.trim();
        datasetId = (await api.createDataset(target, { name })).result.insertedId;
      }
      const made = datapointFromEvent(event, datasetId);
      if (!made.body) throw new Error(made.error);
      await api.createDatapoint(target, made.body);
      return { datasetId, name };
    },
    onSuccess: ({ datasetId }) => {
      // A dataset made here is the one chosen from now on.
      setChosen(datasetId);
      setNewName('');
      void queryClient.invalidateQueries({ queryKey: datasetsKey(target) });
    },
  });
  const missingName = choice === NEW && newName.trim() === '';
  return (
    <form
      className="wg-add-dataset"
      aria-label="Add to dataset"
      onSubmit={(submitted) => {
        submitted.preventDefault();
        if (!missingName && planned.body && !add.isPending) add.mutate();
      }}
    >
      <label htmlFor={selectId}>Dataset</label>
      <select
        id={selectId}
        value={choice}
        disabled={datasets.isLoading}
        onChange={(change) => {
          add.reset();
          setChosen(change.target.value);
        }}
      >
        {datasets.isLoading ? <option value="">Loading…</option> : null}
        {list.map((dataset) => (
          <option key={dataset._id} value={dataset._id}>
            {dataset.name}
          </option>
        ))}
        <option value={NEW}>New dataset…</option>
      </select>
      {choice === NEW ? (
        <TextField label="New dataset name" value={newName} maxLength={200} onChange={setNewName} />
      ) : null}
      <button
        type="submit"
        className="secondary small"
        disabled={missingName || !planned.body || add.isPending || add.isSuccess}
      >
        {add.isPending ? 'Adding…' : add.isSuccess ? 'Added' : 'Add to dataset'}
      </button>
      <button type="button" className="secondary small" onClick={onClose}>
        Close
      </button>
      <p className="muted small">
        Its inputs become the datapoint's inputs and its outputs the ground truth, linked to this event.
      </p>
      {planned.error ? (
        <p className="bad small" role="status">
          {planned.error}
        </p>
      ) : null}
      {add.data ? (
        <p className="muted small" role="status" data-testid="added-to-dataset">
          Added to {add.data.name}.{' '}
          <Link
            to="/projects/$projectId/datasets/$datasetId"
            params={{ projectId, datasetId: add.data.datasetId }}
          >
            Open the dataset
          </Link>
        </p>
      ) : null}
      <ErrorMessage error={datasets.error} title="Could not list the datasets" />
      <ErrorMessage error={add.error} title="Could not add the event to the dataset" />
    </form>
  );
}
