/**
 * What the sync carries for a monitor (`alert.upserted` / `alert.deleted`: monitors are the sync's
 * `alert` entity kind) and how a data plane reads its copy back. The payload is checked with the
 * same rules as the API's input (definition.ts), so a data plane never evaluates a monitor the
 * control plane would have refused.
 */
import type { JsonObject } from '../../sync/canonical-json';
import { type VersionedPayload, versionedPayloadProblem } from '../../sync/versioned-payload';
import { checkMonitorContent, MONITOR_CONTENT_FIELDS, type MonitorContent } from './definition';

export type MonitorPayload = VersionedPayload<MonitorContent>;

/** A problem with a synced monitor payload, or undefined when it is sound. */
export function monitorPayloadProblem(payload: JsonObject, entityId: string): string | undefined {
  return versionedPayloadProblem(payload, entityId, MONITOR_CONTENT_FIELDS, checkMonitorContent);
}

/** A monitor as the data plane evaluates it. */
export interface MonitorDefinition extends MonitorContent {
  id: string;
  org_id: string;
  project_id: string;
  version: number;
}

export function monitorFromPayload(payload: MonitorPayload): MonitorDefinition {
  return {
    ...checkMonitorContent(payload.content as unknown as Record<string, unknown>),
    id: payload.id,
    org_id: payload.org_id,
    project_id: payload.project_id,
    version: payload.version,
  };
}
