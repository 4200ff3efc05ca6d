/**
 * What the sync carries for a metric (`evaluator.upserted` / `evaluator.deleted`) and how a data
 * plane reads its synced copy back. A payload holds the metric's latest version whole (one sync
 * message, see limits.ts), never its history: the control plane keeps that.
 */
import type { JsonObject } from '../../sync/canonical-json';
import type { EvaluatorDefinition } from '../evaluator';
import { CONTENT_FIELDS, checkMetricContent, type MetricContent } from './metric-content';

export interface EvaluatorPayload {
  id: string;
  org_id: string;
  workspace_id: string;
  project_id: string;
  /** The latest version's number. */
  version: number;
  content: MetricContent;
  created_at: string;
  /** When the latest version was made. */
  updated_at: string;
}

const PAYLOAD_FIELDS = [
  'id',
  'org_id',
  'workspace_id',
  'project_id',
  'version',
  'content',
  'created_at',
  'updated_at',
];

/**
 * Checks an evaluator payload field by field, its content through the same rules as the API's
 * input (metric-content.ts). Returns a problem, or undefined when the payload is sound.
 */
export function evaluatorPayloadProblem(payload: JsonObject, entityId: string): string | undefined {
  const unknown = Object.keys(payload).find((key) => !PAYLOAD_FIELDS.includes(key));
  if (unknown !== undefined) return `unknown field "${unknown}"`;
  if (payload.id !== entityId) return 'id differs from the entityId';
  for (const field of ['org_id', 'workspace_id', 'project_id'] as const) {
    const value = payload[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > 256)
      return `${field} is not a non-empty string`;
  }
  const version = payload.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1)
    return 'version is not a version number';
  for (const field of ['created_at', 'updated_at'] as const)
    if (typeof payload[field] !== 'string' || Number.isNaN(Date.parse(payload[field] as string)))
      return `${field} is not a date`;
  const content = payload.content;
  if (typeof content !== 'object' || content === null || Array.isArray(content))
    return 'content is not an object';
  const unknownContent = Object.keys(content).find(
    (key) => !(CONTENT_FIELDS as readonly string[]).includes(key),
  );
  if (unknownContent !== undefined) return `unknown content field "${unknownContent}"`;
  try {
    checkMetricContent(content as unknown as MetricContent);
  } catch (error) {
    return `content: ${(error as Error).message}`;
  }
  return undefined;
}

/** The definition a synced payload describes (its latest version). */
export function definitionFrom(payload: EvaluatorPayload): EvaluatorDefinition {
  return {
    ...structuredClone(payload.content),
    id: payload.id,
    projectId: payload.project_id,
    version: payload.version,
    createdAt: Date.parse(payload.created_at),
    updatedAt: Date.parse(payload.updated_at),
  };
}
