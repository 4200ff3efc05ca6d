/**
 * "New experiment" on the Experiments page: a server-side run (`POST /v1/experiments`) of a saved
 * prompt configuration or an HTTP endpoint over a dataset, scored by the chosen evaluators. The run
 * is created at once and its page opens; the platform's workflow runs the datapoints.
 */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type JSX, type ReactNode, useId, useState } from 'react';
import type { DataTarget } from '../api/client';
import { useApp } from '../app/context';
import { CheckList } from '../components/CheckList';
import { ErrorMessage } from '../components/ErrorMessage';
import { type ControlProps, FormField } from '../components/FormField';
import { JsonField } from '../components/JsonField';
import { PanelForm } from '../components/PanelForm';
import { FixMarkedNote, SubmitButton } from '../components/SubmitButton';
import { runsKey, useDatasets } from '../datasets/queries';
import { metricsQueryKey } from '../evaluators/MetricScores';
import {
  checkExperimentDraft,
  EMPTY_DRAFT,
  type ExperimentDraft,
  MAX_EXPERIMENT_CONCURRENCY,
} from './new-experiment';

export function NewExperiment({
  target,
  onClose,
  onStarted,
}: {
  target: DataTarget;
  onClose(): void;
  onStarted(runId: string): void;
}): JSX.Element {
  const { api } = useApp();
  const queryClient = useQueryClient();
  const id = useId();
  const datasets = useDatasets(target);
  const configurations = useQuery({
    queryKey: ['configurations', target.dataPlaneId, target.projectId],
    queryFn: () => api.listConfigurations(target),
  });
  const metrics = useQuery({
    queryKey: metricsQueryKey(target.dataPlaneId, target.projectId),
    queryFn: () => api.listMetrics(target),
  });
  // Reviewers score human metrics: a run has nothing to compute for them.
  const scorers = (metrics.data ?? [])
    .filter((metric) => metric.type !== 'human')
    .sort((a, b) => a.name.localeCompare(b.name));
  const [draft, setDraft] = useState<ExperimentDraft>(EMPTY_DRAFT);
  const [touched, setTouched] = useState(false);
  const checked = checkExperimentDraft(draft);
  const errors = touched ? checked.errors : {};
  const set = <K extends keyof ExperimentDraft>(key: K, value: ExperimentDraft[K]) =>
    setDraft((previous) => ({ ...previous, [key]: value }));
  const start = useMutation({
    mutationFn: (body: NonNullable<typeof checked.body>) => api.startExperiment(target, body),
    onSuccess: (answer) => {
      void queryClient.invalidateQueries({ queryKey: runsKey(target) });
      onStarted(answer.run_id);
    },
  });
  const field = (key: keyof ExperimentDraft, label: string, control: (props: ControlProps) => ReactNode) => (
    <FormField label={label} error={errors[key]}>
      {control}
    </FormField>
  );
  return (
    <PanelForm
      className="new-experiment"
      title="New experiment"
      onClose={onClose}
      onSubmit={() => {
        setTouched(true);
        if (checked.body && !start.isPending) start.mutate(checked.body);
      }}
    >
      <p className="muted small">
        The platform runs every datapoint of the dataset through a saved prompt configuration (the LLM proxy,
        with the project's provider keys) or an HTTP endpoint, each as a session of the run, and scores them
        with the evaluators chosen.
      </p>
      <div className="row align-start">
        {field('name', 'Run name', (props) => (
          <input
            {...props}
            value={draft.name}
            maxLength={200}
            onChange={(event) => set('name', event.target.value)}
          />
        ))}
        {field('datasetId', 'Dataset', (props) => (
          <select
            {...props}
            value={draft.datasetId}
            onChange={(event) => set('datasetId', event.target.value)}
          >
            <option value="">{datasets.isLoading ? 'Loading…' : 'Choose a dataset'}</option>
            {(datasets.data ?? []).map((dataset) => (
              <option key={dataset._id} value={dataset._id}>
                {dataset.name} ({dataset.num_points})
              </option>
            ))}
          </select>
        ))}
        {field('maxConcurrency', 'Max concurrency', (props) => (
          <input
            {...props}
            type="number"
            min={1}
            max={MAX_EXPERIMENT_CONCURRENCY}
            placeholder="rate limit"
            value={draft.maxConcurrency}
            onChange={(event) => set('maxConcurrency', event.target.value)}
          />
        ))}
      </div>
      <fieldset className="row">
        <legend>Run</legend>
        <label className="check">
          <input
            type="radio"
            name={`${id}-target`}
            checked={draft.target === 'configuration'}
            onChange={() => set('target', 'configuration')}
          />
          A saved configuration
        </label>
        <label className="check">
          <input
            type="radio"
            name={`${id}-target`}
            checked={draft.target === 'endpoint'}
            onChange={() => set('target', 'endpoint')}
          />
          An HTTP endpoint
        </label>
      </fieldset>
      {draft.target === 'configuration'
        ? field('configurationId', 'Configuration', (props) => (
            <select
              {...props}
              value={draft.configurationId}
              onChange={(event) => set('configurationId', event.target.value)}
            >
              <option value="">{configurations.isLoading ? 'Loading…' : 'Choose a configuration'}</option>
              {(configurations.data ?? []).map((configuration) => (
                <option key={configuration._id} value={configuration._id}>
                  {configuration.name} ({configuration.provider}/{configuration.parameters.model ?? '?'})
                </option>
              ))}
            </select>
          ))
        : null}
      {draft.target === 'endpoint' ? (
        <>
          {field('url', 'Endpoint URL', (props) => (
            <input
              {...props}
              type="url"
              placeholder="https://…"
              value={draft.url}
              onChange={(event) => set('url', event.target.value)}
            />
          ))}
          <JsonField
            label="Endpoint headers"
            value={draft.headers}
            error={errors.headers}
            rows={2}
            hint='Optional, e.g. {"authorization": "Bearer …"}: kept beside the run, never in its record.'
            onChange={(value) => set('headers', value)}
          />
        </>
      ) : null}
      <fieldset className="stack" aria-describedby={errors.metricIds ? `${id}-metrics-error` : undefined}>
        <legend>Evaluators</legend>
        {metrics.isSuccess && scorers.length === 0 ? (
          <p className="muted small">No evaluators in this project: the run's outputs are kept unscored.</p>
        ) : null}
        <CheckList
          items={scorers}
          idOf={(metric) => metric._id}
          selected={draft.metricIds}
          onChange={(next) => set('metricIds', next)}
        >
          {(metric) => metric.name}
        </CheckList>
        {errors.metricIds ? (
          <span id={`${id}-metrics-error`} className="bad small">
            {errors.metricIds}
          </span>
        ) : null}
      </fieldset>
      <ErrorMessage
        error={datasets.error ?? configurations.error ?? metrics.error}
        title="Could not load the choices"
      />
      <ErrorMessage error={start.error} title="Could not start the experiment" />
      <div className="actions">
        <SubmitButton pending={start.isPending} busy="Starting…">
          Start experiment
        </SubmitButton>
        <FixMarkedNote shown={touched && !checked.body} what="fields" />
      </div>
    </PanelForm>
  );
}
