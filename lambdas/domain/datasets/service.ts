/**
 * The datasets and datapoints API's logic (HoneyHive's, as the `honeyhive` 1.0.42 client calls it),
 * free of HTTP: every call is the caller's project's (a body or query naming another project is
 * refused), ids are checked before the store is asked, and answers are HoneyHive's shapes.
 */
import { NotFoundError, ValidationError } from '../errors';
import { checkCallerProject, type DatasetCaller } from './caller';
import { importFile } from './file-formats';
import {
  type DatapointRecord,
  type DatasetRecord,
  datapointWire,
  datasetWire,
  isEntityId,
  newEntityId,
} from './model';
import type { DatasetStore } from './ports';
import {
  type DatapointInput,
  datapointOfRow,
  MAX_NAMED_DATAPOINTS,
  parseAddDatapoints,
  parseDatapointInput,
  parseDatapointPatch,
  parseDatasetInput,
  parseDatasetPatch,
  parseImportRequest,
} from './requests';

export type { DatasetCaller };

export interface DatasetServiceDeps {
  store: DatasetStore;
  clock?: () => number;
  newId?: () => string;
}

/** The caller's project's dataset of that id, or NotFoundError. */
export async function findDataset(
  store: Pick<DatasetStore, 'getDataset'>,
  caller: DatasetCaller,
  datasetId: string,
): Promise<DatasetRecord> {
  const dataset = isEntityId(datasetId)
    ? await store.getDataset(caller.tenant.project_id, datasetId)
    : undefined;
  if (!dataset) throw new NotFoundError(`no dataset ${datasetId.slice(0, 64)} in this project`);
  return dataset;
}

export function createDatasetService(deps: DatasetServiceDeps) {
  const { store } = deps;
  const clock = deps.clock ?? Date.now;
  const newId = deps.newId ?? newEntityId;
  const datasetOf = (caller: DatasetCaller, datasetId: string) => findDataset(store, caller, datasetId);

  async function existingDatapoints(caller: DatasetCaller, ids: readonly string[]): Promise<void> {
    const found = await store.getDatapoints(caller.tenant.project_id, ids);
    if (found.length !== new Set(ids).size) {
      const known = new Set(found.map((datapoint) => datapoint.id));
      const missing = ids.filter((id) => !known.has(id));
      throw new ValidationError(`datapoints not in this project: ${missing.slice(0, 5).join(', ')}`);
    }
  }

  async function wireOf(caller: DatasetCaller, dataset: DatasetRecord) {
    return datasetWire(
      dataset,
      caller.projectName,
      await store.members(caller.tenant.project_id, dataset.id),
    );
  }

  function newDatapoints(caller: DatasetCaller, inputs: DatapointInput[]): DatapointRecord[] {
    const now = clock();
    return inputs.map((input) => ({
      id: newId(),
      project_id: caller.tenant.project_id,
      inputs: input.inputs,
      history: input.history,
      ground_truth: input.ground_truth,
      ...(input.linked_event !== undefined && { linked_event: input.linked_event }),
      linked_evals: [],
      linked_datasets: [],
      saved: true,
      type: 'evaluation',
      metadata: input.metadata,
      created_at: now,
      updated_at: now,
    }));
  }

  /** New datapoints at the end of the dataset, all or none. */
  async function insertInto(caller: DatasetCaller, dataset: DatasetRecord, points: DatapointInput[]) {
    const records = newDatapoints(caller, points);
    await store.insertMembers(dataset.project_id, dataset.id, records, clock());
    return { inserted: true, datapoint_ids: records.map((record) => record.id) };
  }

  return {
    async getDatasets(caller: DatasetCaller, query: { project?: string; type?: string; datasetId?: string }) {
      checkCallerProject(caller, query.project);
      let datasets: DatasetRecord[];
      if (query.datasetId !== undefined) {
        const one = isEntityId(query.datasetId)
          ? await store.getDataset(caller.tenant.project_id, query.datasetId)
          : undefined;
        datasets = one ? [one] : [];
      } else datasets = await store.listDatasets(caller.tenant.project_id);
      if (query.type !== undefined) datasets = datasets.filter((dataset) => dataset.type === query.type);
      return { testcases: await Promise.all(datasets.map((dataset) => wireOf(caller, dataset))) };
    },

    async createDataset(caller: DatasetCaller, body: unknown) {
      const input = parseDatasetInput(body);
      checkCallerProject(caller, input.project);
      if (input.datapoints.length > 0) await existingDatapoints(caller, input.datapoints);
      const now = clock();
      const record: DatasetRecord = {
        id: newId(),
        project_id: caller.tenant.project_id,
        name: input.name,
        description: input.description,
        type: input.type,
        pipeline_type: input.pipeline_type,
        linked_evals: input.linked_evals,
        saved: input.saved,
        metadata: input.metadata,
        created_at: now,
        updated_at: now,
      };
      await store.createDataset(record);
      if (input.datapoints.length > 0)
        await store.addMembers(record.project_id, record.id, input.datapoints, now);
      return { inserted: true, result: { insertedId: record.id } };
    },

    async updateDataset(caller: DatasetCaller, body: unknown) {
      const patch = parseDatasetPatch(body);
      const dataset = await datasetOf(caller, patch.dataset_id);
      const updated: DatasetRecord = {
        ...dataset,
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.description !== undefined && { description: patch.description }),
        ...(patch.linked_evals !== undefined && { linked_evals: patch.linked_evals }),
        ...(patch.metadata !== undefined && { metadata: patch.metadata }),
        updated_at: clock(),
      };
      if (patch.datapoints !== undefined) {
        // The list replaces the dataset's: new ones are added at its end, missing ones removed.
        await existingDatapoints(caller, patch.datapoints);
        const current = await store.members(dataset.project_id, dataset.id);
        const wanted = new Set(patch.datapoints);
        await store.removeMembers(
          dataset.project_id,
          dataset.id,
          current.filter((id) => !wanted.has(id)),
        );
        const had = new Set(current);
        await store.addMembers(
          dataset.project_id,
          dataset.id,
          patch.datapoints.filter((id) => !had.has(id)),
          updated.updated_at,
        );
      }
      await store.updateDataset(updated, dataset.name);
    },

    async deleteDataset(caller: DatasetCaller, datasetId: string | undefined) {
      if (datasetId === undefined) throw new ValidationError('dataset_id is required');
      const dataset = await datasetOf(caller, datasetId);
      await store.deleteDataset(dataset.project_id, dataset.id);
    },

    async addDatapoints(caller: DatasetCaller, datasetId: string, body: unknown) {
      const dataset = await datasetOf(caller, datasetId);
      const input = parseAddDatapoints(body);
      checkCallerProject(caller, input.project);
      const points = input.rows.map((row, index) => datapointOfRow(row, input.mapping, `data[${index}]`));
      return insertInto(caller, dataset, points);
    },

    /** `POST /datasets/{id}/import`: a JSONL or CSV file, read whole before anything is stored. */
    async importFile(caller: DatasetCaller, datasetId: string, body: unknown) {
      const dataset = await datasetOf(caller, datasetId);
      const input = parseImportRequest(body);
      return insertInto(caller, dataset, importFile(input.format, input.content, input.mapping));
    },

    async getDatapoints(
      caller: DatasetCaller,
      query: { project?: string; datapointIds?: string[]; datasetName?: string },
    ) {
      checkCallerProject(caller, query.project);
      let ids: string[];
      if (query.datapointIds !== undefined) {
        if (query.datapointIds.length > MAX_NAMED_DATAPOINTS)
          throw new ValidationError(`datapoint_ids names more than ${MAX_NAMED_DATAPOINTS} ids`);
        ids = query.datapointIds.filter(isEntityId);
      } else if (query.datasetName !== undefined) {
        const dataset = await store.findDatasetByName(caller.tenant.project_id, query.datasetName);
        if (!dataset)
          throw new NotFoundError(`no dataset named "${query.datasetName.slice(0, 200)}" in this project`);
        ids = await store.members(dataset.project_id, dataset.id);
      } else throw new ValidationError('name the datapoints: datapoint_ids or dataset_name');
      const datapoints = await store.getDatapoints(caller.tenant.project_id, ids);
      return { datapoints: datapoints.map(datapointWire) };
    },

    async createDatapoint(caller: DatasetCaller, body: unknown) {
      const input = parseDatapointInput(body);
      checkCallerProject(caller, input.project);
      for (const datasetId of input.linked_datasets) await datasetOf(caller, datasetId);
      const [record] = newDatapoints(caller, [input]) as [DatapointRecord];
      await store.putDatapoints([record]);
      for (const datasetId of input.linked_datasets)
        await store.addMembers(record.project_id, datasetId, [record.id], record.created_at);
      return { result: { insertedId: record.id } };
    },

    async getDatapoint(caller: DatasetCaller, id: string) {
      const datapoints = isEntityId(id) ? await store.getDatapoints(caller.tenant.project_id, [id]) : [];
      if (datapoints.length === 0) throw new NotFoundError(`no datapoint ${id.slice(0, 64)} in this project`);
      return { datapoint: datapoints.map(datapointWire) };
    },

    async updateDatapoint(caller: DatasetCaller, id: string, body: unknown) {
      const patch = parseDatapointPatch(body);
      const [datapoint] = isEntityId(id) ? await store.getDatapoints(caller.tenant.project_id, [id]) : [];
      if (!datapoint) throw new NotFoundError(`no datapoint ${id.slice(0, 64)} in this project`);
      const { linked_datasets: linked, ...changes } = patch;
      const updated: DatapointRecord = { ...datapoint, ...changes, updated_at: clock() };
      await store.putDatapoints([updated]);
      if (linked !== undefined) {
        for (const datasetId of linked) await datasetOf(caller, datasetId);
        const wanted = new Set(linked);
        for (const datasetId of datapoint.linked_datasets.filter((each) => !wanted.has(each)))
          await store.removeMembers(datapoint.project_id, datasetId, [id]);
        for (const datasetId of linked.filter((each) => !datapoint.linked_datasets.includes(each)))
          await store.addMembers(datapoint.project_id, datasetId, [id], updated.updated_at);
      }
    },

    async deleteDatapoint(caller: DatasetCaller, id: string) {
      const [datapoint] = isEntityId(id) ? await store.getDatapoints(caller.tenant.project_id, [id]) : [];
      if (!datapoint) throw new NotFoundError(`no datapoint ${id.slice(0, 64)} in this project`);
      await store.deleteDatapoint(datapoint.project_id, id);
      return { deleted: true };
    },
  };
}

export type DatasetService = ReturnType<typeof createDatasetService>;
