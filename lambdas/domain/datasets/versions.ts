/**
 * Dataset versions and export. A version is an immutable snapshot of a dataset's datapoints (their ids
 * and contents, in order): later edits to the dataset or its datapoints do not change it. Versions are
 * numbered 1, 2, ... per dataset, made on request (`POST /datasets/{id}/versions`) or by a run that
 * names the dataset when the dataset changed since its latest version (versionForRun), so a run always
 * points at a snapshot. Export writes the dataset as it is, or one version, as a JSONL or CSV file.
 */
import { createHash } from 'node:crypto';
import { ConflictError, NotFoundError, TooLargeError, ValidationError } from '../errors';
import { RESPONSE_BODY_BUDGET_BYTES, responseCost } from '../read-api/response-budget';
import type { DatasetCaller } from './caller';
import { exportFile, exportFileName, isDatasetFileFormat } from './file-formats';
import {
  type DatapointRecord,
  type DatasetFileFormat,
  type DatasetRecord,
  type DatasetVersionRecord,
  datapointWire,
  datasetVersionWire,
  newEntityId,
} from './model';
import type { DatasetStore, DatasetVersionStore } from './ports';
import { findDataset } from './service';

/**
 * A version's datapoints at most, as JSON: each version is copied into the datasets table (items of at
 * most 400 KB each), and one request must read and write it within API Gateway's 29 s.
 */
export const MAX_VERSION_BYTES = 32 * 1024 * 1024;
const MAX_DESCRIPTION_CHARS = 4_000;
/** Tries at the next number when another request claimed it first. */
const NUMBER_ATTEMPTS = 5;

export interface DatasetVersionServiceDeps {
  store: DatasetStore;
  versions: DatasetVersionStore;
  clock?: () => number;
  newId?: () => string;
  /** MAX_VERSION_BYTES unless a test says otherwise. */
  maxVersionBytes?: number;
}

/** A hash of the datapoints' ids and contents in order: equal hashes, same dataset contents. */
export function datasetFingerprint(datapoints: readonly DatapointRecord[]): string {
  const hash = createHash('sha256');
  for (const datapoint of datapoints)
    hash.update(
      `${JSON.stringify([
        datapoint.id,
        datapoint.inputs,
        datapoint.history,
        datapoint.ground_truth,
        datapoint.metadata,
        datapoint.linked_event ?? null,
      ])}\n`,
    );
  return hash.digest('hex');
}

/** A `version` query parameter: a version number, or undefined when absent. */
export function parseVersionNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(value))
    throw new ValidationError(
      `version must be a version number (1, 2, ...), got ${JSON.stringify(value.slice(0, 20))}`,
    );
  return Number(value);
}

export function createDatasetVersionService(deps: DatasetVersionServiceDeps) {
  const { store, versions } = deps;
  const clock = deps.clock ?? Date.now;
  const newId = deps.newId ?? newEntityId;
  const maxVersionBytes = deps.maxVersionBytes ?? MAX_VERSION_BYTES;

  async function currentDatapoints(dataset: DatasetRecord): Promise<DatapointRecord[]> {
    return store.getDatapoints(dataset.project_id, await store.members(dataset.project_id, dataset.id));
  }

  async function versionOf(dataset: DatasetRecord, number: number): Promise<DatasetVersionRecord> {
    const version = await versions.getVersion(dataset.project_id, dataset.id, number);
    if (!version) throw new NotFoundError(`dataset ${dataset.id} has no version ${number}`);
    return version;
  }

  /** The datapoints of a version, or the dataset's current ones when no version is named. */
  async function datapointsAt(dataset: DatasetRecord, number: number | undefined) {
    if (number === undefined) return currentDatapoints(dataset);
    return versions.versionDatapoints(await versionOf(dataset, number));
  }

  async function snapshot(
    dataset: DatasetRecord,
    description: string,
    datapoints: DatapointRecord[],
  ): Promise<DatasetVersionRecord> {
    const bytes = datapoints.reduce(
      (sum, datapoint) => sum + Buffer.byteLength(JSON.stringify(datapoint)),
      0,
    );
    if (bytes > maxVersionBytes)
      throw new TooLargeError(
        `the dataset's datapoints are ${bytes} bytes of JSON, above ${maxVersionBytes}, the most a version holds`,
      );
    const fingerprint = datasetFingerprint(datapoints);
    const snapshotId = newId();
    for (let attempt = 1; ; attempt++) {
      const [latest] = await versions.listVersions(dataset.project_id, dataset.id);
      const version: DatasetVersionRecord = {
        project_id: dataset.project_id,
        dataset_id: dataset.id,
        number: (latest?.number ?? 0) + 1,
        description,
        created_at: clock(),
        datapoint_count: datapoints.length,
        fingerprint,
        snapshot_id: snapshotId,
      };
      try {
        await versions.putVersion(version, datapoints);
        return version;
      } catch (error) {
        // Another request made the next version meanwhile: take the one after it.
        if (!(error instanceof ConflictError) || attempt === NUMBER_ATTEMPTS) throw error;
      }
    }
  }

  return {
    async createVersion(caller: DatasetCaller, datasetId: string, body: unknown) {
      const dataset = await findDataset(store, caller, datasetId);
      const { description } = parseVersionBody(body);
      const version = await snapshot(dataset, description, await currentDatapoints(dataset));
      return { version: datasetVersionWire(version) };
    },

    async listVersions(caller: DatasetCaller, datasetId: string) {
      const dataset = await findDataset(store, caller, datasetId);
      const found = await versions.listVersions(dataset.project_id, dataset.id);
      return { versions: found.map(datasetVersionWire) };
    },

    /** `GET /datapoints?dataset_name=&version=`: the version's datapoints as they were. */
    async versionDatapoints(caller: DatasetCaller, query: { datasetName?: string; version: number }) {
      if (query.datasetName === undefined) throw new ValidationError('version is read with dataset_name');
      const dataset = await store.findDatasetByName(caller.tenant.project_id, query.datasetName);
      if (!dataset)
        throw new NotFoundError(`no dataset named "${query.datasetName.slice(0, 200)}" in this project`);
      const datapoints = await datapointsAt(dataset, query.version);
      return { datapoints: datapoints.map(datapointWire) };
    },

    /** The dataset (or one version of it) as a file; refused beyond what one Lambda response carries. */
    async exportDataset(
      caller: DatasetCaller,
      datasetId: string,
      query: { format?: string; version?: string },
    ): Promise<{ content: string; format: DatasetFileFormat; fileName: string }> {
      const dataset = await findDataset(store, caller, datasetId);
      const { format } = query;
      if (!isDatasetFileFormat(format)) throw new ValidationError('format must be jsonl or csv');
      const number = parseVersionNumber(query.version);
      const content = exportFile(format, await datapointsAt(dataset, number));
      const cost = responseCost(content);
      if (cost > RESPONSE_BODY_BUDGET_BYTES)
        throw new TooLargeError(
          `the export would be ${cost} bytes, above ${RESPONSE_BODY_BUDGET_BYTES}: a Lambda response is at most 6 MB; export a smaller dataset`,
        );
      return { content, format, fileName: exportFileName(dataset.name, format, number) };
    },

    /**
     * The version a run over the dataset records: its latest when the datapoints have not changed
     * since, else a new one. Concurrent runs may each make one; both are the same snapshot.
     */
    async versionForRun(caller: DatasetCaller, datasetId: string, runName: string): Promise<number> {
      const dataset = await findDataset(store, caller, datasetId);
      const [latest] = await versions.listVersions(dataset.project_id, dataset.id);
      const datapoints = await currentDatapoints(dataset);
      if (latest && latest.fingerprint === datasetFingerprint(datapoints)) return latest.number;
      return (await snapshot(dataset, `made for run "${runName.slice(0, 200)}"`, datapoints)).number;
    },
  };
}

function parseVersionBody(body: unknown): { description: string } {
  const { description, ...rest } = (body ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new ValidationError(`unknown fields: ${unknown.slice(0, 10).join(', ')}`);
  if (description === undefined || description === null) return { description: '' };
  if (typeof description !== 'string' || description.length > MAX_DESCRIPTION_CHARS)
    throw new ValidationError(`description must be a string of at most ${MAX_DESCRIPTION_CHARS} characters`);
  return { description };
}

export type DatasetVersionService = ReturnType<typeof createDatasetVersionService>;
