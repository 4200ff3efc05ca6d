/**
 * Where datasets and datapoints are kept (one DynamoDB table on AWS and, through dynalite, locally:
 * adapters/aws/dynamo-dataset-store.ts). Membership is the store's to keep consistent: adding a
 * datapoint to a dataset also links the dataset on the datapoint (`linked_datasets`), and removing
 * it unlinks it.
 */
import type { DatapointRecord, DatasetRecord, DatasetVersionRecord } from './model';

export interface DatasetStore {
  /** ConflictError when the project has a dataset of that name. */
  createDataset(record: DatasetRecord): Promise<void>;
  getDataset(projectId: string, datasetId: string): Promise<DatasetRecord | undefined>;
  findDatasetByName(projectId: string, name: string): Promise<DatasetRecord | undefined>;
  listDatasets(projectId: string): Promise<DatasetRecord[]>;
  /** Saves a changed dataset; a new name is claimed first (ConflictError when taken). */
  updateDataset(record: DatasetRecord, previousName: string): Promise<void>;
  /** Removes the dataset and its memberships (its datapoints stay, unlinked). */
  deleteDataset(projectId: string, datasetId: string): Promise<void>;
  /** The dataset's datapoint ids, in the order they were added. */
  members(projectId: string, datasetId: string): Promise<string[]>;
  addMembers(
    projectId: string,
    datasetId: string,
    datapointIds: readonly string[],
    at: number,
  ): Promise<void>;
  removeMembers(projectId: string, datasetId: string, datapointIds: readonly string[]): Promise<void>;
  /**
   * Writes new datapoints (ids nobody holds yet) as members of the dataset, at its end, in bounded
   * chunks; when a write fails, what was written is removed before the error is thrown.
   */
  insertMembers(
    projectId: string,
    datasetId: string,
    records: readonly DatapointRecord[],
    at: number,
  ): Promise<void>;
  /** Writes datapoints whole (their `linked_datasets` are the store's: see addMembers). */
  putDatapoints(records: readonly DatapointRecord[]): Promise<void>;
  /** The datapoints found, in the order asked; unknown ids are left out. */
  getDatapoints(projectId: string, datapointIds: readonly string[]): Promise<DatapointRecord[]>;
  /** Removes the datapoint and its memberships. */
  deleteDatapoint(projectId: string, datapointId: string): Promise<void>;
}

/**
 * Dataset versions: each an immutable snapshot of the datapoints, stored whole before its number is
 * claimed, so a version is never seen half-written. A dataset's deletion removes its versions.
 */
export interface DatasetVersionStore {
  /** Stores the snapshot, then claims the version's number: ConflictError when it is taken. */
  putVersion(version: DatasetVersionRecord, datapoints: readonly DatapointRecord[]): Promise<void>;
  /** The dataset's versions, newest first. */
  listVersions(projectId: string, datasetId: string): Promise<DatasetVersionRecord[]>;
  getVersion(projectId: string, datasetId: string, number: number): Promise<DatasetVersionRecord | undefined>;
  /** The version's datapoints as they were, in the dataset's order then. */
  versionDatapoints(version: DatasetVersionRecord): Promise<DatapointRecord[]>;
}
