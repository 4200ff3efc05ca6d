import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { type JSX, useId, useState } from 'react';
import { atLeast, useApp, useProjectRole, useTarget } from '../app/context';
import { useTitle } from '../app/title';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatCount, formatTime } from '../components/format';
import { DataTable } from '../components/Table';
import { TextField } from '../components/TextField';
import { datasetsKey, useDatasets } from './queries';
import './datasets.css';
import { QueryList } from '../components/QueryList';
import { SubmitButton } from '../components/SubmitButton';

const route = getRouteApi('/signed-in/projects/$projectId/datasets');

/**
 * The project's datasets (HoneyHive's): name, datapoint count and last change, each opening its
 * datapoints; members and above create new ones (a name is unique in the project, the API says so).
 */
export function DatasetsPage(): JSX.Element {
  const { projectId } = route.useParams();
  const target = useTarget(projectId);
  const { role } = useProjectRole(projectId);
  const canWrite = atLeast(role, 'member');
  useTitle('Datasets');
  const datasets = useDatasets(target);
  const [creating, setCreating] = useState(false);
  return (
    <>
      <div className="page-head">
        <h1>Datasets</h1>
        {canWrite ? (
          <button type="button" onClick={() => setCreating(true)} disabled={creating}>
            New dataset
          </button>
        ) : null}
        <button
          type="button"
          className="secondary"
          disabled={datasets.isFetching}
          onClick={() => void datasets.refetch()}
        >
          Refresh
        </button>
      </div>
      {creating ? <CreateDataset projectId={projectId} onClose={() => setCreating(false)} /> : null}
      <QueryList
        query={datasets}
        what="datasets"
        empty={
          <p className="muted card" data-testid="no-datasets">
            No datasets yet. A dataset holds test cases (inputs and their ground truth) that experiments run
            over: create one here, import a JSONL or CSV file into it, or add events to it from their detail (
            <strong>Add to dataset</strong>).
          </p>
        }
      >
        {(rows) => (
          <DataTable
            testId="datasets-table"
            caption="Datasets"
            columns={['Name', { label: 'Datapoints', numeric: true }, 'Updated', 'Description']}
          >
            {rows.map((dataset) => (
              <tr key={dataset._id}>
                <th scope="row">
                  <Link
                    to="/projects/$projectId/datasets/$datasetId"
                    params={{ projectId, datasetId: dataset._id }}
                  >
                    {dataset.name}
                  </Link>
                </th>
                <td className="num">{formatCount(dataset.num_points)}</td>
                <td>{formatTime(Date.parse(dataset.updated_at))}</td>
                <td className="ellipsis">{dataset.description}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryList>
    </>
  );
}

function CreateDataset({ projectId, onClose }: { projectId: string; onClose(): void }): JSX.Element {
  const { api } = useApp();
  const target = useTarget(projectId);
  const queryClient = useQueryClient();
  const navigate = route.useNavigate();
  const headingId = useId();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [touched, setTouched] = useState(false);
  const create = useMutation({
    mutationFn: () =>
      api.createDataset(target, {
        name: name.trim(),
        ...(description.trim() === '' ? {} : { description: description.trim() }),
      }),
    onSuccess: (answer) => {
      void queryClient.invalidateQueries({ queryKey: datasetsKey(target) });
      void navigate({
        to: '/projects/$projectId/datasets/$datasetId',
        params: { projectId, datasetId: answer.result.insertedId },
      });
    },
  });
  const nameError = touched && name.trim() === '' ? 'A dataset needs a name.' : undefined;
  return (
    <form
      className="card stack create-dataset"
      aria-labelledby={headingId}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setTouched(true);
        if (name.trim() !== '' && !create.isPending) create.mutate();
      }}
    >
      <h2 id={headingId}>New dataset</h2>
      <div className="row">
        <TextField
          label="Name"
          className="grow"
          value={name}
          maxLength={200}
          aria-invalid={nameError !== undefined}
          onChange={setName}
        />
        <TextField
          label="Description"
          className="grow"
          value={description}
          maxLength={4000}
          onChange={setDescription}
        />
      </div>
      {nameError ? <span className="bad small">{nameError}</span> : null}
      <ErrorMessage error={create.error} title="Could not create the dataset" />
      <div className="actions">
        <SubmitButton pending={create.isPending} busy="Creating…">
          Create dataset
        </SubmitButton>
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
