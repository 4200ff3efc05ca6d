/**
 * A server-side experiment (`POST /v1/experiments`): a saved prompt configuration, or an HTTP
 * endpoint, run over every datapoint of a dataset by the experiment workflow
 * (lambdas/experiment-steps/definition.ts), each datapoint traced as a session of the run. This
 * module reads the request body and builds the run's input: what the workflow's steps receive,
 * small enough for a Step Functions state (256 KiB) whatever the dataset. An endpoint's headers
 * (they may hold credentials) are not in it: they are kept beside the run's item list (see steps.ts).
 */
import { TooLargeError, ValidationError } from '../../errors';
import type { JsonObject, Tenant } from '../../events/event';
import { assertJsonDepth, describeType, isJsonObject } from '../../honeyhive/fields';
import { parseBaseUrl } from '../../providers/request';

/** Datapoints one map item (one invocation of the run step) runs. */
export const EXPERIMENT_BATCH_SIZE = 10;
/** Datapoints of one batch run at once (each holds a model call or an endpoint request). */
export const EXPERIMENT_BATCH_CONCURRENCY = 5;
/** Map items failing (after their retries) that a run tolerates before it fails (redrive reruns them). */
export const EXPERIMENT_TOLERATED_FAILURE_PERCENTAGE = 10;
/** Map items run at once when the project has no rate limit, and the most ever. */
export const DEFAULT_EXPERIMENT_CONCURRENCY = 10;
export const MAX_EXPERIMENT_CONCURRENCY = 40;
/**
 * Model calls one map item makes a minute at most: EXPERIMENT_BATCH_CONCURRENCY calls at once, each
 * taking a second or more (a chat completion's usual latency; a faster one meets the throttling
 * retry instead).
 */
export const CALLS_PER_ITEM_PER_MINUTE = EXPERIMENT_BATCH_CONCURRENCY * 60;

const MAX_NAME_CHARS = 200;
const MAX_ID_CHARS = 128;
const MAX_METRICS = 20;
const MAX_HEADERS = 20;
const MAX_HEADER_NAME_CHARS = 100;
const MAX_HEADER_VALUE_CHARS = 4_096;
const MAX_METADATA_BYTES = 16 * 1024;
/** Headers the platform sets itself on an endpoint request. */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'transfer-encoding',
  'connection',
]);
const FIELDS = new Set([
  'name',
  'dataset_id',
  'configuration_id',
  'endpoint',
  'metric_ids',
  'max_concurrency',
  'metadata',
  'project',
]);

export type ExperimentTarget =
  | { type: 'configuration'; configuration_id: string }
  | { type: 'endpoint'; url: string; headers: Record<string, string> };

export interface ExperimentRequest {
  name: string;
  datasetId: string;
  target: ExperimentTarget;
  metricIds: string[];
  maxConcurrency?: number;
  metadata: JsonObject;
  project?: string;
}

/** What the run's input says of its target: the configuration found when it started, or the endpoint's URL. */
export type RunTarget =
  | {
      type: 'configuration';
      configuration_id: string;
      configuration_name: string;
      configuration_version: number;
    }
  | { type: 'endpoint'; url: string; has_headers: boolean };

/** The workflow's input `run`: everything the steps need. */
export interface ExperimentRun extends Tenant {
  run_id: string;
  name: string;
  project_name: string;
  dataset_id: string;
  target: RunTarget;
  /** The run's metrics, their versions pinned when it started: scored by the run itself on each session. */
  metrics: { id: string; version: number }[];
  /** The Distributed Map's MaxConcurrency (its MaxConcurrencyPath reads it). */
  max_concurrency: number;
  requested_at: number;
}

export interface ParseOptions {
  /** The local platform allows plain http to loopback endpoints; AWS wants https to public addresses. */
  allowLoopbackEndpoints?: boolean;
}

export function parseExperimentRequest(body: unknown, options: ParseOptions = {}): ExperimentRequest {
  if (!isJsonObject(body)) throw new ValidationError('the body must be a JSON object');
  const unknown = Object.keys(body).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0)
    throw new ValidationError(`unknown fields: ${unknown.slice(0, 10).map(shown).join(', ')}`);
  const name = text(body.name, 'name', MAX_NAME_CHARS);
  const datasetId = text(body.dataset_id, 'dataset_id', MAX_ID_CHARS);
  const hasConfiguration = body.configuration_id !== undefined && body.configuration_id !== null;
  const hasEndpoint = body.endpoint !== undefined && body.endpoint !== null;
  if (hasConfiguration === hasEndpoint)
    throw new ValidationError('send exactly one of configuration_id and endpoint');
  const target: ExperimentTarget = hasConfiguration
    ? {
        type: 'configuration',
        configuration_id: text(body.configuration_id, 'configuration_id', MAX_ID_CHARS),
      }
    : parseEndpoint(body.endpoint, options);
  const request: ExperimentRequest = {
    name: name.trim(),
    datasetId,
    target,
    metricIds: parseMetricIds(body.metric_ids),
    metadata: parseMetadata(body.metadata),
  };
  if (body.max_concurrency !== undefined && body.max_concurrency !== null) {
    const value = body.max_concurrency;
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_EXPERIMENT_CONCURRENCY)
      throw new ValidationError(`max_concurrency must be an integer from 1 to ${MAX_EXPERIMENT_CONCURRENCY}`);
    request.maxConcurrency = value as number;
  }
  if (body.project !== undefined) request.project = text(body.project, 'project', MAX_NAME_CHARS);
  return request;
}

/**
 * The map's concurrency: what the project's rate limit (the LLM proxy's requests_per_minute, the
 * lower of the project's and the run's credential's) allows at CALLS_PER_ITEM_PER_MINUTE an item,
 * at least 1 and at most MAX_EXPERIMENT_CONCURRENCY; DEFAULT_EXPERIMENT_CONCURRENCY with no rate
 * limit; never above what the request asked for.
 */
export function experimentConcurrency(requestsPerMinute: number | undefined, requested?: number): number {
  const allowed =
    requestsPerMinute === undefined
      ? DEFAULT_EXPERIMENT_CONCURRENCY
      : Math.min(
          MAX_EXPERIMENT_CONCURRENCY,
          Math.max(1, Math.floor(requestsPerMinute / CALLS_PER_ITEM_PER_MINUTE)),
        );
  return requested === undefined ? allowed : Math.min(allowed, requested);
}

function parseEndpoint(value: unknown, options: ParseOptions): ExperimentTarget {
  if (!isJsonObject(value))
    throw new ValidationError(`endpoint must be an object, got ${describeType(value)}`);
  const extra = Object.keys(value).filter((key) => key !== 'url' && key !== 'headers');
  if (extra.length > 0)
    throw new ValidationError(`endpoint has unknown fields: ${extra.slice(0, 5).map(shown).join(', ')}`);
  let url: string;
  try {
    // The provider keys' base_url rules: https (http only to loopback locally), no credentials, no private address.
    url = parseBaseUrl(value.url, { allowLoopbackBaseUrl: options.allowLoopbackEndpoints === true });
  } catch (error) {
    if (error instanceof ValidationError)
      throw new ValidationError(
        error.message.replaceAll('base_url', 'endpoint.url').replace(' (put the key in api_key)', ''),
      );
    throw error;
  }
  const headers: Record<string, string> = {};
  if (value.headers !== undefined && value.headers !== null) {
    if (!isJsonObject(value.headers))
      throw new ValidationError('endpoint.headers must be an object of strings');
    const entries = Object.entries(value.headers);
    if (entries.length > MAX_HEADERS)
      throw new ValidationError(`endpoint.headers holds at most ${MAX_HEADERS} headers`);
    for (const [name, header] of entries) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || name.length > MAX_HEADER_NAME_CHARS)
        throw new ValidationError(`endpoint.headers: ${shown(name)} is not a header name`);
      if (RESERVED_HEADERS.has(name.toLowerCase()))
        throw new ValidationError(`endpoint.headers: ${name} is set by the platform`);
      if (typeof header !== 'string' || header.length > MAX_HEADER_VALUE_CHARS || /[\r\n\0]/.test(header))
        throw new ValidationError(
          `endpoint.headers.${name} must be a string of at most ${MAX_HEADER_VALUE_CHARS} characters on one line`,
        );
      headers[name.toLowerCase()] = header;
    }
  }
  return { type: 'endpoint', url, headers };
}

function parseMetricIds(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (
    !Array.isArray(value) ||
    !value.every((id) => typeof id === 'string' && id !== '' && id.length <= MAX_ID_CHARS)
  )
    throw new ValidationError('metric_ids must be a list of metric ids');
  const ids = [...new Set(value as string[])];
  if (ids.length > MAX_METRICS) throw new ValidationError(`metric_ids names at most ${MAX_METRICS} metrics`);
  return ids;
}

function parseMetadata(value: unknown): JsonObject {
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value))
    throw new ValidationError(`metadata must be an object, got ${describeType(value)}`);
  assertJsonDepth(value, 'metadata');
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES)
    throw new TooLargeError(`metadata is larger than ${MAX_METADATA_BYTES} bytes`);
  return value;
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max)
    throw new ValidationError(`${field} must be a non-empty string of at most ${max} characters`);
  return value;
}

function shown(value: string): string {
  return /^[\w.-]{1,60}$/.test(value) ? value : '?';
}
