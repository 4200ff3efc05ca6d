/**
 * Experiment runs (HoneyHive's evaluation runs, `/runs` as the `honeyhive` 1.0.42 client calls it):
 * a named run of an application over a dataset's datapoints, holding the ids of the sessions it
 * traced (`event_ids`), the dataset and datapoints, its configuration and metadata, and its status
 * (pending, then completed). A run is one item of the datasets table, so its lists are capped
 * (MAX_RUN_IDS): DynamoDB refuses items over 400 KB. A run over a dataset records the dataset's
 * version it used (`dataset_version`), so it always points at an immutable snapshot.
 */
import { randomUUID } from 'node:crypto';
import { checkCallerProject, type DatasetCaller } from '../datasets/caller';
import { isEntityId } from '../datasets/model';
import type { DatasetStore } from '../datasets/ports';
import { NotFoundError, TooLargeError, ValidationError } from '../errors';
import type { JsonObject } from '../events/event';
import { assertJsonDepth, describeType, isJsonObject } from '../honeyhive/fields';

/** HoneyHive's run statuses; server-side experiments go running -> completed or failed. */
export const RUN_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Session ids or datapoint ids one run holds at most: 5,000 of each stays far inside a 400 KB item. */
export const MAX_RUN_IDS = 5_000;
const MAX_ID_CHARS = 128;
const MAX_NAME_CHARS = 200;
const MAX_OBJECT_BYTES = 64 * 1024;

export interface RunRecord {
  run_id: string;
  project_id: string;
  name: string;
  event_ids: string[];
  dataset_id: string | null;
  /** The dataset's version the run used (domain/datasets/versions.ts); runs stored before versions have none. */
  dataset_version?: number | null;
  datapoint_ids: string[];
  configuration: JsonObject;
  metadata: JsonObject;
  status: RunStatus;
  created_at: number;
  updated_at: number;
}

export interface RunStore {
  putRun(record: RunRecord): Promise<void>;
  getRun(projectId: string, runId: string): Promise<RunRecord | undefined>;
  listRuns(projectId: string): Promise<RunRecord[]>;
  deleteRun(projectId: string, runId: string): Promise<void>;
}

export type RunCaller = DatasetCaller;

type RunFields = Partial<Omit<RunRecord, 'run_id' | 'project_id' | 'created_at' | 'updated_at'>>;

const CREATE_FIELDS = [
  'project',
  'name',
  'event_ids',
  'dataset_id',
  'datapoint_ids',
  'configuration',
  'metadata',
  'status',
];
const UPDATE_FIELDS = CREATE_FIELDS.filter((field) => field !== 'project');

function runFields(body: unknown, allowed: readonly string[]): RunFields & { project?: string } {
  if (!isJsonObject(body)) throw new ValidationError('the body must be a JSON object');
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new ValidationError(`unknown fields: ${unknown.slice(0, 10).join(', ')}`);
  const fields: RunFields & { project?: string } = {};
  const text = (key: string, max: number) => {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value.trim() === '' || value.length > max)
      throw new ValidationError(`${key} must be a non-empty string of at most ${max} characters`);
    return value;
  };
  const ids = (key: string) => {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (
      !Array.isArray(value) ||
      !value.every((id) => typeof id === 'string' && id !== '' && id.length <= MAX_ID_CHARS)
    )
      throw new ValidationError(`${key} must be a list of ids`);
    if (value.length > MAX_RUN_IDS)
      throw new TooLargeError(
        `${key} has more than ${MAX_RUN_IDS} ids (a run is one DynamoDB item, at most 400 KB)`,
      );
    return [...new Set(value as string[])];
  };
  const object = (key: string) => {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (!isJsonObject(value))
      throw new ValidationError(`${key} must be an object, got ${describeType(value)}`);
    assertJsonDepth(value, key);
    if (Buffer.byteLength(JSON.stringify(value)) > MAX_OBJECT_BYTES)
      throw new TooLargeError(`${key} is larger than ${MAX_OBJECT_BYTES} bytes`);
    return value;
  };
  const project = text('project', MAX_NAME_CHARS);
  if (project !== undefined) fields.project = project;
  const name = text('name', MAX_NAME_CHARS);
  if (name !== undefined) fields.name = name.trim();
  const eventIds = ids('event_ids');
  if (eventIds !== undefined) fields.event_ids = eventIds;
  const datapointIds = ids('datapoint_ids');
  if (datapointIds !== undefined) fields.datapoint_ids = datapointIds;
  if (body.dataset_id !== undefined) {
    const datasetId = body.dataset_id === null ? null : text('dataset_id', 64);
    if (
      datasetId !== null &&
      datasetId !== undefined &&
      !isEntityId(datasetId) &&
      !isExternalDatasetId(datasetId)
    )
      throw new ValidationError('dataset_id is not a dataset id (nor an inline dataset id, EXT-<24 hex>)');
    fields.dataset_id = datasetId ?? null;
  }
  const configuration = object('configuration');
  if (configuration !== undefined) fields.configuration = configuration;
  const metadata = object('metadata');
  if (metadata !== undefined) fields.metadata = metadata;
  if (body.status !== undefined) {
    if (!RUN_STATUSES.includes(body.status as RunStatus))
      throw new ValidationError(`status must be one of: ${RUN_STATUSES.join(', ')}`);
    fields.status = body.status as RunStatus;
  }
  return fields;
}

/**
 * An inline dataset's id as HoneyHive's evaluate() makes it (`EXT-` and 24 hex digits of a hash of
 * the rows): a run over rows passed in code. It names no stored dataset, so it has no version.
 */
export function isExternalDatasetId(id: string): boolean {
  return /^EXT-[0-9a-f]{24}$/.test(id);
}

function storedDataset(datasetId: string | null | undefined): datasetId is string {
  return typeof datasetId === 'string' && !isExternalDatasetId(datasetId);
}

/** The caller's project's run of that id; NotFoundError when there is none (an over-long id is none). */
export async function findRun(
  runs: Pick<RunStore, 'getRun'>,
  caller: RunCaller,
  runId: string,
): Promise<RunRecord> {
  const run = runId.length <= MAX_ID_CHARS ? await runs.getRun(caller.tenant.project_id, runId) : undefined;
  if (!run) throw new NotFoundError(`no run ${runId.slice(0, 64)} in this project`);
  return run;
}

export function runWire(run: RunRecord, projectName: string) {
  return {
    run_id: run.run_id,
    project: projectName,
    name: run.name,
    created_at: new Date(run.created_at).toISOString(),
    event_ids: run.event_ids,
    dataset_id: run.dataset_id,
    dataset_version: run.dataset_version ?? null,
    datapoint_ids: run.datapoint_ids,
    configuration: run.configuration,
    metadata: run.metadata,
    status: run.status,
  };
}

export function createRunService(deps: {
  runs: RunStore;
  datasets: Pick<DatasetStore, 'getDataset'>;
  /** The version of the dataset a run uses, made when the dataset changed since its latest one. */
  datasetVersion: (caller: RunCaller, datasetId: string, runName: string) => Promise<number>;
  clock?: () => number;
  newId?: () => string;
}) {
  const clock = deps.clock ?? Date.now;
  const newId = deps.newId ?? randomUUID;

  const runOf = (caller: RunCaller, runId: string) => findRun(deps.runs, caller, runId);

  async function checkDataset(caller: RunCaller, datasetId: string | null | undefined): Promise<void> {
    if (!datasetId || isExternalDatasetId(datasetId)) return;
    if (!(await deps.datasets.getDataset(caller.tenant.project_id, datasetId)))
      throw new ValidationError(`dataset_id names no dataset of this project`);
  }

  return {
    async createRun(caller: RunCaller, body: unknown) {
      const fields = runFields(body, CREATE_FIELDS);
      checkCallerProject(caller, fields.project);
      if (fields.name === undefined) throw new ValidationError('name is required');
      if (fields.event_ids === undefined)
        throw new ValidationError('event_ids is required (it may be empty)');
      await checkDataset(caller, fields.dataset_id);
      const now = clock();
      const run: RunRecord = {
        run_id: newId(),
        project_id: caller.tenant.project_id,
        name: fields.name,
        event_ids: fields.event_ids,
        dataset_id: fields.dataset_id ?? null,
        dataset_version: storedDataset(fields.dataset_id)
          ? await deps.datasetVersion(caller, fields.dataset_id, fields.name)
          : null,
        datapoint_ids: fields.datapoint_ids ?? [],
        configuration: fields.configuration ?? {},
        metadata: fields.metadata ?? {},
        status: fields.status ?? 'pending',
        created_at: now,
        updated_at: now,
      };
      await deps.runs.putRun(run);
      return { evaluation: runWire(run, caller.projectName), run_id: run.run_id };
    },

    async getRuns(caller: RunCaller, project: string | undefined) {
      checkCallerProject(caller, project);
      const runs = await deps.runs.listRuns(caller.tenant.project_id);
      return { evaluations: runs.map((run) => runWire(run, caller.projectName)) };
    },

    async getRun(caller: RunCaller, runId: string) {
      return { evaluation: runWire(await runOf(caller, runId), caller.projectName) };
    },

    /** Lists given replace the run's (HoneyHive's evaluate() sends the whole list when it completes a run). */
    async updateRun(caller: RunCaller, runId: string, body: unknown) {
      const fields = runFields(body, UPDATE_FIELDS);
      const run = await runOf(caller, runId);
      await checkDataset(caller, fields.dataset_id);
      const updated: RunRecord = { ...run, ...fields, updated_at: clock() };
      // Another dataset named: the run now records that dataset's version.
      if (fields.dataset_id !== undefined && fields.dataset_id !== run.dataset_id)
        updated.dataset_version = storedDataset(fields.dataset_id)
          ? await deps.datasetVersion(caller, fields.dataset_id, updated.name)
          : null;
      await deps.runs.putRun(updated);
      return { evaluation: runWire(updated, caller.projectName), warning: null };
    },

    async deleteRun(caller: RunCaller, runId: string) {
      const run = await runOf(caller, runId);
      await deps.runs.deleteRun(run.project_id, run.run_id);
      return { id: run.run_id, deleted: true };
    },
  };
}

export type RunService = ReturnType<typeof createRunService>;
