/**
 * What the sync carries for a metric (`evaluator.upserted` / `evaluator.deleted`) and how a data
 * plane reads its synced copy back. A payload holds the metric's latest version whole (one sync
 * message, see limits.ts), never its history: the control plane keeps that.
 */
import type { JsonObject } from '../../sync/canonical-json';
import { type VersionedPayload, versionedPayloadProblem } from '../../sync/versioned-payload';
import type { EvaluatorDefinition } from '../evaluator';
import { CONTENT_FIELDS, checkMetricContent, type MetricContent } from './metric-content';

export type EvaluatorPayload = VersionedPayload<MetricContent>;

/**
 * Checks an evaluator payload field by field, its content through the same rules as the API's
 * input (metric-content.ts). Returns a problem, or undefined when the payload is sound.
 */
export function evaluatorPayloadProblem(payload: JsonObject, entityId: string): string | undefined {
  return versionedPayloadProblem(payload, entityId, CONTENT_FIELDS, (content) =>
    checkMetricContent(content as unknown as MetricContent),
  );
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
