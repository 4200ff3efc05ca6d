/**
 * The bodies of the datasets and datapoints API, as the `honeyhive` 1.0.42 client sends them, read
 * strictly: a wrong type, an unknown field or an oversized value is a ValidationError naming the
 * field, and nothing is stored. Sizes follow what the store can hold: a datapoint is one DynamoDB
 * item, and DynamoDB refuses items over 400 KB (names and values together), so a datapoint's JSON
 * may be at most MAX_DATAPOINT_BYTES.
 */
import { TooLargeError, ValidationError } from '../errors';
import type { JsonObject } from '../events/event';
import { assertJsonDepth, describeType, invalidField, isJsonObject } from '../honeyhive/fields';
import {
  DATASET_FILE_FORMATS,
  DATASET_TYPES,
  type DatasetFileFormat,
  type DatasetType,
  isEntityId,
  PIPELINE_TYPES,
  type PipelineType,
} from './model';

/** A datapoint's JSON at most (DynamoDB's 400 KB item, less room for the item's keys and names). */
export const MAX_DATAPOINT_BYTES = 350 * 1024;
/** Rows of one `POST /datasets/{id}/datapoints` at most (each a datapoint written in batches of 25). */
export const MAX_ADDED_DATAPOINTS = 1_000;
/** Datapoint ids one request may name (a dataset's list, a `GET /datapoints?datapoint_ids=`). */
export const MAX_NAMED_DATAPOINTS = 10_000;
const MAX_NAME_CHARS = 200;
const MAX_DESCRIPTION_CHARS = 4_000;
const MAX_METADATA_BYTES = 64 * 1024;

export interface DatasetInput {
  project?: string;
  name: string;
  description: string;
  type: DatasetType;
  pipeline_type: PipelineType;
  datapoints: string[];
  linked_evals: string[];
  saved: boolean;
  metadata: JsonObject;
}

export interface DatasetPatch {
  dataset_id: string;
  name?: string;
  description?: string;
  datapoints?: string[];
  linked_evals?: string[];
  metadata?: JsonObject;
}

export interface DatapointInput {
  project?: string;
  inputs: JsonObject;
  history: JsonObject[];
  ground_truth: JsonObject;
  linked_event?: string;
  linked_datasets: string[];
  metadata: JsonObject;
}

export type DatapointPatch = Partial<
  Pick<DatapointInput, 'inputs' | 'history' | 'ground_truth' | 'linked_datasets' | 'metadata'>
> & { linked_evals?: string[] };

export interface AddDatapointsInput {
  project?: string;
  rows: JsonObject[];
  mapping: DatapointMapping;
}

export interface DatapointMapping {
  inputs: string[];
  ground_truth: string[];
  history: string[];
}

class Fields {
  constructor(
    private readonly body: JsonObject,
    private readonly where: string,
    allowed: readonly string[],
  ) {
    const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
    if (unknown.length > 0)
      throw new ValidationError(`${where} has unknown fields: ${unknown.slice(0, 10).join(', ')}`);
  }

  private path(key: string) {
    return this.where === '' ? key : `${this.where}.${key}`;
  }

  string(key: string, maxChars: number, required: true): string;
  string(key: string, maxChars: number, required?: false): string | undefined;
  string(key: string, maxChars: number, required = false): string | undefined {
    const value = this.body[key];
    if (value === undefined || value === null) {
      if (required) throw invalidField(this.path(key), 'is required');
      return undefined;
    }
    if (typeof value !== 'string')
      throw invalidField(this.path(key), `must be a string, got ${describeType(value)}`);
    if (required && value.trim() === '') throw invalidField(this.path(key), 'must not be empty');
    if (value.length > maxChars) throw invalidField(this.path(key), `is longer than ${maxChars} characters`);
    return value;
  }

  oneOf<T extends string>(key: string, choices: readonly T[]): T | undefined {
    const value = this.string(key, 40);
    if (value === undefined) return undefined;
    if (!choices.includes(value as T))
      throw invalidField(this.path(key), `must be one of: ${choices.join(', ')}`);
    return value as T;
  }

  boolean(key: string): boolean | undefined {
    const value = this.body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw invalidField(this.path(key), 'must be true or false');
    return value;
  }

  object(key: string, maxBytes?: number): JsonObject | undefined {
    const value = this.body[key];
    if (value === undefined || value === null) return undefined;
    if (!isJsonObject(value))
      throw invalidField(this.path(key), `must be an object, got ${describeType(value)}`);
    assertJsonDepth(value, this.path(key));
    if (maxBytes !== undefined && Buffer.byteLength(JSON.stringify(value)) > maxBytes)
      throw new TooLargeError(`${this.path(key)} is larger than ${maxBytes} bytes`);
    return value;
  }

  objects(key: string): JsonObject[] | undefined {
    const value = this.body[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || !value.every(isJsonObject))
      throw invalidField(this.path(key), 'must be a list of objects');
    assertJsonDepth(value, this.path(key));
    return value;
  }

  ids(key: string, max = MAX_NAMED_DATAPOINTS): string[] | undefined {
    const value = this.body[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw invalidField(this.path(key), 'must be a list of ids');
    if (value.length > max) throw invalidField(this.path(key), `names more than ${max} ids`);
    for (const id of value)
      if (typeof id !== 'string' || !isEntityId(id))
        throw invalidField(
          this.path(key),
          `holds ${JSON.stringify(String(id).slice(0, 40))}, not an id (24 hex digits)`,
        );
    return [...new Set(value as string[])];
  }

  keys(key: string): string[] {
    const value = this.body[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.length <= 256))
      throw invalidField(this.path(key), 'must be a list of field names');
    return value as string[];
  }
}

function bodyObject(body: unknown, where: string): JsonObject {
  if (!isJsonObject(body)) throw new ValidationError(`${where} must be a JSON object`);
  return body;
}

export function parseDatasetInput(body: unknown): DatasetInput {
  const fields = new Fields(bodyObject(body, 'the body'), '', [
    'project',
    'name',
    'description',
    'type',
    'datapoints',
    'linked_evals',
    'saved',
    'pipeline_type',
    'metadata',
  ]);
  return {
    project: fields.string('project', MAX_NAME_CHARS),
    name: fields.string('name', MAX_NAME_CHARS, true).trim(),
    description: fields.string('description', MAX_DESCRIPTION_CHARS) ?? '',
    type: fields.oneOf('type', DATASET_TYPES) ?? 'evaluation',
    pipeline_type: fields.oneOf('pipeline_type', PIPELINE_TYPES) ?? 'event',
    datapoints: fields.ids('datapoints') ?? [],
    linked_evals: fields.keys('linked_evals'),
    saved: fields.boolean('saved') ?? false,
    metadata: fields.object('metadata', MAX_METADATA_BYTES) ?? {},
  };
}

export function parseDatasetPatch(body: unknown): DatasetPatch {
  const fields = new Fields(bodyObject(body, 'the body'), '', [
    'dataset_id',
    'name',
    'description',
    'datapoints',
    'linked_evals',
    'metadata',
  ]);
  const datasetId = fields.string('dataset_id', 64, true);
  if (!isEntityId(datasetId)) throw invalidField('dataset_id', 'is not a dataset id');
  const patch: DatasetPatch = { dataset_id: datasetId };
  const name = fields.string('name', MAX_NAME_CHARS);
  if (name !== undefined) {
    if (name.trim() === '') throw invalidField('name', 'must not be empty');
    patch.name = name.trim();
  }
  const description = fields.string('description', MAX_DESCRIPTION_CHARS);
  if (description !== undefined) patch.description = description;
  const datapoints = fields.ids('datapoints');
  if (datapoints !== undefined) patch.datapoints = datapoints;
  if (isJsonObject(body) && body.linked_evals !== undefined) patch.linked_evals = fields.keys('linked_evals');
  const metadata = fields.object('metadata', MAX_METADATA_BYTES);
  if (metadata !== undefined) patch.metadata = metadata;
  return patch;
}

export function parseDatapointInput(body: unknown): DatapointInput {
  const fields = new Fields(bodyObject(body, 'the body'), '', [
    'project',
    'inputs',
    'history',
    'ground_truth',
    'linked_event',
    'linked_datasets',
    'metadata',
  ]);
  const inputs = fields.object('inputs');
  if (inputs === undefined) throw invalidField('inputs', 'is required');
  const linkedEvent = fields.string('linked_event', 256);
  const input: DatapointInput = {
    project: fields.string('project', MAX_NAME_CHARS),
    inputs,
    history: fields.objects('history') ?? [],
    ground_truth: fields.object('ground_truth') ?? {},
    linked_datasets: fields.ids('linked_datasets', 100) ?? [],
    metadata: fields.object('metadata') ?? {},
    ...(linkedEvent !== undefined && { linked_event: linkedEvent }),
  };
  checkDatapointSize(input, 'the datapoint');
  return input;
}

export function parseDatapointPatch(body: unknown): DatapointPatch {
  const fields = new Fields(bodyObject(body, 'the body'), '', [
    'inputs',
    'history',
    'ground_truth',
    'linked_evals',
    'linked_datasets',
    'metadata',
  ]);
  const patch: DatapointPatch = {};
  const inputs = fields.object('inputs');
  if (inputs !== undefined) patch.inputs = inputs;
  const history = fields.objects('history');
  if (history !== undefined) patch.history = history;
  const groundTruth = fields.object('ground_truth');
  if (groundTruth !== undefined) patch.ground_truth = groundTruth;
  const linkedDatasets = fields.ids('linked_datasets', 100);
  if (linkedDatasets !== undefined) patch.linked_datasets = linkedDatasets;
  if (isJsonObject(body) && body.linked_evals !== undefined) patch.linked_evals = fields.keys('linked_evals');
  const metadata = fields.object('metadata');
  if (metadata !== undefined) patch.metadata = metadata;
  checkDatapointSize(patch, 'the datapoint');
  return patch;
}

/**
 * `POST /datasets/{id}/datapoints`: rows of any fields, and which fields are the inputs, the ground
 * truth and the chat history of the datapoint each row becomes. Fields no mapping names go to the
 * datapoint's metadata, so nothing sent is dropped.
 */
export function parseAddDatapoints(body: unknown): AddDatapointsInput {
  const fields = new Fields(bodyObject(body, 'the body'), '', ['project', 'data', 'mapping']);
  const rows = fields.objects('data');
  if (rows === undefined) throw invalidField('data', 'is required: a list of rows');
  if (rows.length === 0) throw invalidField('data', 'is empty');
  if (rows.length > MAX_ADDED_DATAPOINTS)
    throw new TooLargeError(`data has more than ${MAX_ADDED_DATAPOINTS} rows: send them in several requests`);
  const mapping = parseMapping(fields.object('mapping'));
  if (mapping === undefined) throw invalidField('mapping', 'is required: {inputs, ground_truth, history}');
  return { project: fields.string('project', MAX_NAME_CHARS), rows, mapping };
}

export interface ImportRequest {
  format: DatasetFileFormat;
  content: string;
  mapping?: DatapointMapping;
}

/**
 * `POST /datasets/{id}/import`: the file's format and its text, and optionally a mapping as
 * addDatapoints takes it (domain/datasets/file-formats.ts reads the file).
 */
export function parseImportRequest(body: unknown): ImportRequest {
  const fields = new Fields(bodyObject(body, 'the body'), '', ['format', 'content', 'mapping']);
  const format = fields.oneOf('format', DATASET_FILE_FORMATS);
  if (format === undefined) throw invalidField('format', 'is required: jsonl or csv');
  const content = fields.string('content', Number.MAX_SAFE_INTEGER);
  if (content === undefined) throw invalidField('content', "is required: the file's text");
  const mapping = parseMapping(fields.object('mapping'));
  return { format, content, ...(mapping !== undefined && { mapping }) };
}

/** Which fields of a row are a datapoint's inputs, ground truth and chat history; undefined when none is given. */
export function parseMapping(body: JsonObject | undefined): DatapointMapping | undefined {
  if (body === undefined) return undefined;
  const mapping = new Fields(body, 'mapping', ['inputs', 'ground_truth', 'history']);
  return {
    inputs: mapping.keys('inputs'),
    ground_truth: mapping.keys('ground_truth'),
    history: mapping.keys('history'),
  };
}

/** One row as a datapoint, by the mapping; `where` names the row in errors (`data[3]`, `line 4`). */
export function datapointOfRow(row: JsonObject, mapping: DatapointMapping, where: string): DatapointInput {
  const pick = (keys: string[]) =>
    Object.fromEntries(keys.filter((key) => Object.hasOwn(row, key)).map((key) => [key, row[key]]));
  const mapped = new Set([...mapping.inputs, ...mapping.ground_truth, ...mapping.history]);
  const history = mapping.history.flatMap((key) => {
    const value = row[key];
    if (value === undefined || value === null) return [];
    if (Array.isArray(value) && value.every(isJsonObject)) return value as JsonObject[];
    throw invalidField(`${where}.${key}`, 'is mapped to history but is not a list of messages (objects)');
  });
  const datapoint: DatapointInput = {
    inputs: pick(mapping.inputs) as JsonObject,
    history,
    ground_truth: pick(mapping.ground_truth) as JsonObject,
    linked_datasets: [],
    metadata: Object.fromEntries(Object.entries(row).filter(([key]) => !mapped.has(key))) as JsonObject,
  };
  checkDatapointSize(datapoint, where);
  return datapoint;
}

export function checkDatapointSize(datapoint: object, where: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(datapoint));
  if (bytes > MAX_DATAPOINT_BYTES)
    throw new TooLargeError(
      `${where} is ${bytes} bytes of JSON, above ${MAX_DATAPOINT_BYTES} (a datapoint is one DynamoDB item, at most 400 KB)`,
    );
}
