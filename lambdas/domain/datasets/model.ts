/**
 * Datasets and datapoints (HoneyHive's): a datapoint is one test case (inputs, chat history, ground
 * truth, metadata, and the event it came from); a dataset is a named, ordered list of datapoints of
 * one project. A datapoint may belong to several datasets (`linked_datasets`). Wire shapes are the
 * ones the `honeyhive` 1.0.42 client parses (snake_case, ids as `_id` on datapoints).
 */
import { randomBytes } from 'node:crypto';
import type { JsonObject } from '../events/event';

export const DATASET_TYPES = ['evaluation', 'fine-tuning'] as const;
export type DatasetType = (typeof DATASET_TYPES)[number];
export const PIPELINE_TYPES = ['event', 'session'] as const;
export type PipelineType = (typeof PIPELINE_TYPES)[number];

/** The files a dataset is imported from and exported to. */
export const DATASET_FILE_FORMATS = ['jsonl', 'csv'] as const;
export type DatasetFileFormat = (typeof DATASET_FILE_FORMATS)[number];

export interface DatasetRecord {
  id: string;
  project_id: string;
  name: string;
  description: string;
  type: DatasetType;
  pipeline_type: PipelineType;
  linked_evals: string[];
  saved: boolean;
  metadata: JsonObject;
  /** Epoch ms. */
  created_at: number;
  updated_at: number;
}

export interface DatapointRecord {
  id: string;
  project_id: string;
  inputs: JsonObject;
  history: JsonObject[];
  ground_truth: JsonObject;
  /** The event it was made from, when it was. */
  linked_event?: string;
  linked_evals: string[];
  linked_datasets: string[];
  saved: boolean;
  type: string;
  metadata: JsonObject;
  created_at: number;
  updated_at: number;
}

/**
 * A dataset version: an immutable snapshot of its datapoints (ids and contents, in order) as they were
 * when it was made. Numbered 1, 2, ... per dataset. `fingerprint` (a hash of the contents) tells
 * whether the dataset changed since; `snapshot_id` names the stored contents.
 */
export interface DatasetVersionRecord {
  project_id: string;
  dataset_id: string;
  number: number;
  description: string;
  created_at: number;
  datapoint_count: number;
  fingerprint: string;
  snapshot_id: string;
}

export function datasetVersionWire(version: DatasetVersionRecord) {
  return {
    number: version.number,
    dataset_id: version.dataset_id,
    created_at: new Date(version.created_at).toISOString(),
    datapoint_count: version.datapoint_count,
    description: version.description,
  };
}

/** HoneyHive's ids are 24 hex digits (MongoDB ObjectIds); ours look alike, and are random. */
export function newEntityId(): string {
  return randomBytes(12).toString('hex');
}

export function isEntityId(value: string): boolean {
  return /^[0-9a-f]{24}$/.test(value);
}

const iso = (epochMs: number) => new Date(epochMs).toISOString();

/** A dataset as `GET /datasets` answers it (`testcases[]`), with its datapoint ids in order. */
export function datasetWire(dataset: DatasetRecord, projectName: string, datapointIds: readonly string[]) {
  return {
    _id: dataset.id,
    project: projectName,
    name: dataset.name,
    description: dataset.description,
    type: dataset.type,
    datapoints: [...datapointIds],
    num_points: datapointIds.length,
    linked_evals: dataset.linked_evals,
    saved: dataset.saved,
    pipeline_type: dataset.pipeline_type,
    metadata: dataset.metadata,
    created_at: iso(dataset.created_at),
    updated_at: iso(dataset.updated_at),
  };
}

export function datapointWire(datapoint: DatapointRecord) {
  return {
    _id: datapoint.id,
    project_id: datapoint.project_id,
    inputs: datapoint.inputs,
    history: datapoint.history,
    ground_truth: datapoint.ground_truth,
    ...(datapoint.linked_event !== undefined && { linked_event: datapoint.linked_event }),
    linked_evals: datapoint.linked_evals,
    linked_datasets: datapoint.linked_datasets,
    saved: datapoint.saved,
    type: datapoint.type,
    metadata: datapoint.metadata,
    created_at: iso(datapoint.created_at),
    updated_at: iso(datapoint.updated_at),
  };
}
