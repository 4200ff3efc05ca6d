/**
 * The shapes of HoneyHive's datasets, datapoints and experiment runs API as the data plane answers
 * them (docs/datasets.md): snake_case, ids as `_id` on datasets and datapoints, times as ISO strings.
 * The console only reads these; the platform writes them (lambdas/domain/datasets/model.ts,
 * lambdas/domain/experiments/).
 */

import type { MetricComparison } from '../../../lambdas/domain/experiments/compare';
import type { DatapointResult, MetricDetail } from '../../../lambdas/domain/experiments/results';

export type JsonRecord = Record<string, unknown>;

/** One dataset of `GET /v1/datasets` (`testcases[]`), its datapoint ids in order. */
export interface DatasetWire {
  _id: string;
  project: string;
  name: string;
  description: string;
  type: string;
  datapoints: string[];
  num_points: number;
  pipeline_type?: string;
  metadata?: JsonRecord;
  created_at: string;
  updated_at: string;
}

export interface DatapointWire {
  _id: string;
  project_id: string;
  inputs: JsonRecord;
  history: JsonRecord[];
  ground_truth: JsonRecord;
  /** The event it was made from ("add to dataset"). */
  linked_event?: string;
  linked_datasets: string[];
  metadata: JsonRecord;
  created_at: string;
  updated_at: string;
}

/** What `PUT /v1/datapoints/{id}` takes: each section given replaces the stored one. */
export interface DatapointPatch {
  inputs?: JsonRecord;
  history?: JsonRecord[];
  ground_truth?: JsonRecord;
  metadata?: JsonRecord;
  linked_datasets?: string[];
}

/** `POST /v1/datapoints`: the datasets named in `linked_datasets` get it at their end. */
export interface DatapointCreate extends DatapointPatch {
  inputs: JsonRecord;
  linked_event?: string;
}

/** The field mapping of an import: which columns (CSV) or keys (JSONL) are inputs, ground truth, history. */
export interface DatapointMapping {
  inputs: string[];
  ground_truth: string[];
  history: string[];
}

export type DatasetFileFormat = 'jsonl' | 'csv';

export interface DatasetVersionWire {
  number: number;
  dataset_id: string;
  created_at: string;
  datapoint_count: number;
  description: string;
}

export type RunStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | (string & {});

/** A run (HoneyHive's evaluation) as `GET /v1/runs` and `GET /v1/runs/{id}` answer it. */
export interface RunWire {
  run_id: string;
  project: string;
  name: string;
  created_at: string;
  event_ids: string[];
  dataset_id: string | null;
  /** The dataset version the run used (made when the run was created over a changed dataset). */
  dataset_version?: number | null;
  datapoint_ids: string[];
  configuration?: JsonRecord;
  metadata?: JsonRecord;
  status: RunStatus;
}

/** The aggregate functions a result may ask for: the platform's own list. */
export { AGGREGATE_FUNCTIONS, type AggregateFunction } from '../../../lambdas/domain/experiments/aggregate';
export type { MetricComparison } from '../../../lambdas/domain/experiments/compare';
/**
 * The platform's own shapes of a result and a comparison, imported type-only (nothing of the platform
 * enters the bundle), so a change there fails the console's typecheck instead of its pages.
 */
export type {
  DatapointMetric,
  DatapointResult,
  MetricDetail,
} from '../../../lambdas/domain/experiments/results';

export type MetricValue = number | boolean;

/** A run as a result or comparison names it (HoneyHive's ExperimentRunObject; the fields the console reads). */
export interface RunObject {
  run_id: string;
  name: string;
  status: string;
}

/** `GET /v1/runs/{run_id}/result` (HoneyHive's ExperimentResultResponse). */
export interface ExperimentResult {
  status: string;
  success: boolean;
  passed: string[];
  failed: string[];
  metrics: { aggregation_function: string; details: MetricDetail[] };
  datapoints: DatapointResult[];
  event_details: { event_name: string; event_type: string }[];
  run_object?: RunObject;
  /** Waggle: the run had more events than one read returns. */
  truncated?: boolean;
}

/** `GET /v1/runs/{new_run_id}/compare-with/{old_run_id}` (HoneyHive's ExperimentComparisonResponse). */
export interface RunComparison {
  metrics: MetricComparison[];
  commonDatapoints: string[];
  event_details: { event_name: string; event_type: string; presence: string }[];
  old_run?: RunObject;
  new_run?: RunObject;
}

/**
 * `POST /v1/experiments` (Waggle's server-side experiments, lambdas/experiments-api): a saved prompt
 * configuration or an HTTP endpoint run over every datapoint of a dataset by the platform's workflow.
 */
export interface ServerExperimentRequest {
  name: string;
  dataset_id: string;
  configuration_id?: string;
  endpoint?: { url: string; headers?: Record<string, string> };
  metric_ids?: string[];
  max_concurrency?: number;
  metadata?: JsonRecord;
}

/** `GET /v1/experiments/{run_id}`: the run and its workflow's execution. */
export interface ServerExperimentState {
  run_id: string;
  name: string;
  status: RunStatus;
  dataset_id: string | null;
  dataset_version: number | null;
  datapoints: number;
  sessions: number;
  execution: {
    /** Step Functions' status: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE. */
    status: string;
    started_at: number;
    stopped_at?: number;
    redrive_count: number;
    /** The map's batches. */
    items?: { total: number; succeeded: number; failed: number; pending: number };
    error?: string;
  };
  /** Datapoints answered, refused by the target (errored), and never answered (failed). */
  counts?: { datapoints: number; batches: number; succeeded: number; errored: number; failed: number };
}
