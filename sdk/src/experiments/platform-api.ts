/**
 * The REST calls evaluate() makes, on the platform the SDK is configured for (never a hosted default):
 * datasets and datapoints to read, the run to create, read and complete, and the run's result. Every
 * failure is an EvaluateError naming the call and the platform's own message.
 */
import { sendHttp } from '../integration/http';

export class EvaluateError extends Error {
  override readonly name = 'EvaluateError';
  constructor(
    message: string,
    /** The HTTP status the platform answered, when it answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface StoredDatapoint {
  _id: string;
  inputs?: Record<string, unknown>;
  ground_truth?: Record<string, unknown>;
}

export interface RunWire {
  run_id: string;
  name: string;
  dataset_id: string | null;
  event_ids: string[];
  datapoint_ids: string[];
  status: string;
  metadata: Record<string, unknown>;
}

export interface RunFields {
  project?: string;
  name?: string;
  dataset_id?: string | null;
  event_ids?: string[];
  datapoint_ids?: string[];
  metadata?: Record<string, unknown>;
  status?: 'pending' | 'running' | 'completed' | 'failed';
}

/** The parts of `GET /runs/{id}/result` resume reads: the datapoints that already have a session. */
export interface RunResultWire {
  datapoints: { datapoint_id: string | null; session_id: string }[];
}

/** Ids per `GET /datapoints?datapoint_ids=` call: 100 ids of 24 characters keep the URL near 2.6 KB. */
const DATAPOINTS_PER_READ = 100;

export interface PlatformApiSettings {
  serverUrl: string;
  apiKey: string;
  project: string;
  timeoutMs: number;
}

export function createPlatformApi(settings: PlatformApiSettings) {
  async function call<T>(method: string, path: string, what: string, body?: unknown): Promise<T> {
    let response: Awaited<ReturnType<typeof sendHttp>>;
    try {
      response = await sendHttp({
        url: `${settings.serverUrl}${path}`,
        method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${settings.apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        timeoutMs: settings.timeoutMs,
      });
    } catch (error) {
      throw new EvaluateError(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const text = Buffer.from(response.body).toString('utf8');
    if (response.status < 200 || response.status >= 300) {
      throw new EvaluateError(
        `${what} failed with HTTP ${response.status}: ${platformMessage(text)}`,
        response.status,
      );
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new EvaluateError(`${what}: the platform answered with no JSON (${text.slice(0, 200)})`);
    }
  }
  const project = encodeURIComponent(settings.project);
  const id = (value: string) => encodeURIComponent(value);

  return {
    /** The dataset's datapoint ids in its order; an EvaluateError when the project has no such dataset. */
    async datasetDatapointIds(datasetId: string): Promise<string[]> {
      const answer = await call<{ testcases?: { datapoints?: unknown }[] }>(
        'GET',
        `/datasets?project=${project}&dataset_id=${id(datasetId)}`,
        'reading the dataset',
      );
      const dataset = answer.testcases?.[0];
      if (dataset === undefined)
        throw new EvaluateError(`no dataset ${datasetId} in project ${settings.project}`, 404);
      const ids = dataset.datapoints;
      return Array.isArray(ids) ? ids.filter((each): each is string => typeof each === 'string') : [];
    },

    /** The datapoints of the given ids, in that order; ids the platform no longer has are left out. */
    async datapoints(ids: readonly string[]): Promise<StoredDatapoint[]> {
      const found = new Map<string, StoredDatapoint>();
      for (let start = 0; start < ids.length; start += DATAPOINTS_PER_READ) {
        const chunk = ids.slice(start, start + DATAPOINTS_PER_READ);
        const answer = await call<{ datapoints?: StoredDatapoint[] }>(
          'GET',
          `/datapoints?project=${project}&datapoint_ids=${chunk.map(id).join(',')}`,
          'reading the datapoints',
        );
        for (const datapoint of answer.datapoints ?? []) found.set(datapoint._id, datapoint);
      }
      return ids.flatMap((each) => found.get(each) ?? []);
    },

    async createRun(fields: RunFields): Promise<string> {
      const answer = await call<{ run_id?: string }>('POST', '/runs', 'creating the run', fields);
      if (typeof answer.run_id !== 'string') throw new EvaluateError('creating the run: no run_id answered');
      return answer.run_id;
    },

    async getRun(runId: string): Promise<RunWire> {
      const answer = await call<{ evaluation?: RunWire }>('GET', `/runs/${id(runId)}`, 'reading the run');
      if (answer.evaluation === undefined) throw new EvaluateError('reading the run: no run answered');
      return answer.evaluation;
    },

    async updateRun(runId: string, fields: RunFields): Promise<void> {
      await call('PUT', `/runs/${id(runId)}`, 'updating the run', fields);
    },

    /** The run's result as the platform computes it from stored sessions; undefined when it has none. */
    async runResult(runId: string): Promise<RunResultWire | undefined> {
      try {
        return await call<RunResultWire>('GET', `/runs/${id(runId)}/result`, 'reading the run result');
      } catch (error) {
        // An older platform without results: resume then goes by the run's own datapoint list.
        if (error instanceof EvaluateError && error.status === 404) return undefined;
        throw error;
      }
    },
  };
}

export type PlatformApi = ReturnType<typeof createPlatformApi>;

/** The platform's `{ "message": ... }` (or `error`), else the start of the body. */
function platformMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    const message = parsed.message ?? parsed.error;
    if (typeof message === 'string') return message.slice(0, 500);
  } catch {
    // not JSON: the raw text below
  }
  return text.slice(0, 500);
}
