/**
 * What the sync carries for a monitor (`alert.upserted` / `alert.deleted`: monitors are the sync's
 * `alert` entity kind) and how a data plane reads its copy back. The payload is checked with the
 * same rules as the API's input (definition.ts), so a data plane never evaluates a monitor the
 * control plane would have refused.
 */
import type { JsonObject } from '../../sync/canonical-json';
import { checkMonitorContent, MONITOR_CONTENT_FIELDS, type MonitorContent } from './definition';

export interface MonitorPayload {
  id: string;
  org_id: string;
  workspace_id: string;
  project_id: string;
  version: number;
  content: MonitorContent;
  created_at: string;
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

/** A problem with a synced monitor payload, or undefined when it is sound. */
export function monitorPayloadProblem(payload: JsonObject, entityId: string): string | undefined {
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
    (key) => !(MONITOR_CONTENT_FIELDS as readonly string[]).includes(key),
  );
  if (unknownContent !== undefined) return `unknown content field "${unknownContent}"`;
  try {
    checkMonitorContent(content as Record<string, unknown>);
  } catch (error) {
    return `content: ${(error as Error).message}`;
  }
  return undefined;
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
