/**
 * The datapoints an evaluation runs over: a stored dataset's (read from the platform in its order),
 * or an inline list. Inline datapoints get HoneyHive's hashed ids (`EXT-` and the first 24 hex digits
 * of the MD5 of the row's JSON, as honeyhive 1.0.42's evaluate() makes them), so two runs over the
 * same inline rows share their datapoint ids and compare over them.
 */
import { createHash } from 'node:crypto';
import { EvaluateError, type PlatformApi } from './platform-api';

/** One inline row: `ground_truth` (HoneyHive's stored name) or `ground_truths` (its 1.0.42 evaluate()). */
export interface InlineDatapoint {
  inputs?: Record<string, unknown>;
  ground_truth?: Record<string, unknown>;
  ground_truths?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Datapoint {
  id: string;
  inputs: Record<string, unknown>;
  groundTruth: Record<string, unknown>;
}

export interface DatapointSource {
  /** The stored dataset's id, or the inline list's hashed id. */
  datasetId: string;
  stored: boolean;
  datapoints: Datapoint[];
}

/**
 * Datapoints one run holds at most: the platform keeps a run's session and datapoint ids in one
 * DynamoDB item (400 KB), 5,000 of each (lambdas/domain/experiments/runs.ts MAX_RUN_IDS).
 */
export const MAX_EVALUATE_DATAPOINTS = 5_000;

export function hashedId(json: string): string {
  return `EXT-${createHash('md5').update(json, 'utf8').digest('hex').slice(0, 24)}`;
}

const objectOr = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

function checkSize(count: number): void {
  if (count > MAX_EVALUATE_DATAPOINTS)
    throw new EvaluateError(
      `the dataset has ${count} datapoints; one run holds at most ${MAX_EVALUATE_DATAPOINTS} (its ids are one DynamoDB item, at most 400 KB): split it`,
    );
}

export function inlineDataset(rows: unknown): DatapointSource {
  if (!Array.isArray(rows))
    throw new EvaluateError('dataset must be a list of {inputs, ground_truth} objects');
  checkSize(rows.length);
  const datapoints = rows.map((row, index): Datapoint => {
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      throw new EvaluateError(`dataset[${index}] must be an object with inputs and ground_truth`);
    const item = row as InlineDatapoint;
    return {
      id: hashedId(jsonOf(item, `dataset[${index}]`)),
      inputs: objectOr(item.inputs),
      groundTruth: objectOr(item.ground_truth ?? item.ground_truths),
    };
  });
  return { datasetId: hashedId(jsonOf(rows, 'dataset')), stored: false, datapoints };
}

export async function storedDataset(api: PlatformApi, datasetId: string): Promise<DatapointSource> {
  const ids = await api.datasetDatapointIds(datasetId);
  checkSize(ids.length);
  const stored = await api.datapoints(ids);
  return {
    datasetId,
    stored: true,
    datapoints: stored.map((datapoint) => ({
      id: datapoint._id,
      inputs: objectOr(datapoint.inputs),
      groundTruth: objectOr(datapoint.ground_truth),
    })),
  };
}

function jsonOf(value: unknown, where: string): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new EvaluateError(
      `${where} is not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
