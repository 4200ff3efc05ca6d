/**
 * The payload shape several synced kinds share (metrics, monitors): a versioned record of a project,
 * its content whole. One check of the envelope for all; each kind checks its own content.
 */
import type { JsonObject } from './canonical-json';

export interface VersionedPayload<Content> {
  id: string;
  org_id: string;
  workspace_id: string;
  project_id: string;
  /** The latest version's number. */
  version: number;
  content: Content;
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

/** A record's payload: its envelope fields only (a record has more), its content cloned. */
export function versionedPayload<Content>(record: VersionedPayload<Content>): VersionedPayload<Content> {
  return {
    id: record.id,
    org_id: record.org_id,
    workspace_id: record.workspace_id,
    project_id: record.project_id,
    version: record.version,
    content: structuredClone(record.content),
    created_at: record.created_at,
    updated_at: record.updated_at,
  };
}

/**
 * Checks the envelope field by field, then the content's fields against `contentFields` and with
 * `checkContent` (which throws). Returns a problem, or undefined when the payload is sound.
 */
export function versionedPayloadProblem(
  payload: JsonObject,
  entityId: string,
  contentFields: readonly string[],
  checkContent: (content: Record<string, unknown>) => void,
): string | undefined {
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
  const unknownContent = Object.keys(content).find((key) => !contentFields.includes(key));
  if (unknownContent !== undefined) return `unknown content field "${unknownContent}"`;
  try {
    checkContent(content as Record<string, unknown>);
  } catch (error) {
    return `content: ${(error as Error).message}`;
  }
  return undefined;
}
