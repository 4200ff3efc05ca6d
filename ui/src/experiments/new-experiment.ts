/**
 * The "New experiment" form's draft and its checks: what the experiments API would refuse is said
 * in the form, before anything is sent (a name, a dataset, exactly one target, an endpoint's headers
 * as a JSON object of one-line strings, at most 20 evaluators, a concurrency of 1-40). Pure.
 */
import type { ServerExperimentRequest } from '../api/experiments';
import { parseJsonObject } from '../datasets/json-text';

/** The experiments API's bounds (lambdas/domain/experiments/server/request.ts). */
export const MAX_EXPERIMENT_METRICS = 20;
export const MAX_EXPERIMENT_CONCURRENCY = 40;

export interface ExperimentDraft {
  name: string;
  datasetId: string;
  target: 'configuration' | 'endpoint';
  configurationId: string;
  url: string;
  headers: string;
  metricIds: string[];
  maxConcurrency: string;
}

export const EMPTY_DRAFT: ExperimentDraft = {
  name: '',
  datasetId: '',
  target: 'configuration',
  configurationId: '',
  url: '',
  headers: '',
  metricIds: [],
  maxConcurrency: '',
};

export type DraftErrors = Partial<Record<keyof ExperimentDraft, string>>;

export function checkExperimentDraft(draft: ExperimentDraft): {
  body?: ServerExperimentRequest;
  errors: DraftErrors;
} {
  const errors: DraftErrors = {};
  if (draft.name.trim() === '') errors.name = 'Name the run.';
  if (draft.datasetId === '') errors.datasetId = 'Choose the dataset to run over.';
  if (draft.target === 'configuration' && draft.configurationId === '')
    errors.configurationId = 'Choose a saved configuration.';
  let headers: Record<string, string> | undefined;
  if (draft.target === 'endpoint') {
    if (!/^https?:\/\/\S+$/i.test(draft.url.trim())) errors.url = 'Give the endpoint as an http(s) URL.';
    const parsed = parseJsonObject(draft.headers);
    if (parsed.error !== undefined) errors.headers = parsed.error;
    else if (
      !Object.values(parsed.value).every((value) => typeof value === 'string' && !/[\r\n]/.test(value))
    )
      errors.headers = 'Each header must be a string on one line.';
    else if (Object.keys(parsed.value).length > 0) headers = parsed.value as Record<string, string>;
  }
  if (draft.metricIds.length > MAX_EXPERIMENT_METRICS)
    errors.metricIds = `Choose at most ${MAX_EXPERIMENT_METRICS} evaluators.`;
  let maxConcurrency: number | undefined;
  if (draft.maxConcurrency.trim() !== '') {
    maxConcurrency = Number(draft.maxConcurrency);
    if (
      !Number.isInteger(maxConcurrency) ||
      maxConcurrency < 1 ||
      maxConcurrency > MAX_EXPERIMENT_CONCURRENCY
    )
      errors.maxConcurrency = `A whole number from 1 to ${MAX_EXPERIMENT_CONCURRENCY}, or empty for the project's rate limit.`;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    body: {
      name: draft.name.trim(),
      dataset_id: draft.datasetId,
      ...(draft.target === 'configuration'
        ? { configuration_id: draft.configurationId }
        : { endpoint: { url: draft.url.trim(), ...(headers && { headers }) } }),
      ...(draft.metricIds.length > 0 && { metric_ids: draft.metricIds }),
      ...(maxConcurrency !== undefined && { max_concurrency: maxConcurrency }),
    },
  };
}
