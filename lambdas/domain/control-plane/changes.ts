/**
 * Config changes the control plane publishes to data planes (flow 5). `version` is the changed
 * record's version, which only goes up, so a data plane applies a change only when it is newer than
 * what it holds for that record (replays and reordering then change nothing). Payloads carry what a
 * data plane needs and nothing secret: API keys travel as SHA-256 hashes.
 */

import type { MonitorPayload } from '../alerts/monitors/synced';
import type { PromptPayload, ToolPayload } from '../configurations/synced';
import type { EvaluatorPayload } from '../evaluators/definitions/synced';
import { pickFields } from '../pick-fields';
import type { ApiKeyPayload as SyncedApiKeyPayload } from '../sync/messages';
import type { ApiKey, Project, ProjectType } from './model';

/**
 * The sync's API-key payload (shaped like the data plane's ApiKeyRecord so it can be stored as is),
 * which the control plane always sends with the key id and the revoked flag.
 */
export interface ApiKeyPayload extends SyncedApiKeyPayload {
  key_id: string;
  revoked: boolean;
}

interface ProjectPayload {
  id: string;
  org_id: string;
  workspace_id: string;
  name: string;
  description?: string;
  type?: ProjectType;
}

export type ConfigChange =
  | { type: 'project.upserted'; version: number; payload: ProjectPayload }
  | { type: 'project.deleted'; version: number; payload: ProjectPayload }
  | { type: 'api-key.upserted'; version: number; payload: ApiKeyPayload }
  | { type: 'api-key.revoked'; version: number; payload: ApiKeyPayload }
  | { type: 'prompt.upserted' | 'prompt.deleted'; version: number; payload: PromptPayload }
  | { type: 'tool.upserted' | 'tool.deleted'; version: number; payload: ToolPayload }
  | { type: 'evaluator.upserted' | 'evaluator.deleted'; version: number; payload: EvaluatorPayload }
  | { type: 'alert.upserted' | 'alert.deleted'; version: number; payload: MonitorPayload };

export interface ChangePublisher {
  /** Resolves once the change is durably handed to the sync; rejects otherwise. */
  publish(change: ConfigChange): Promise<void>;
}

export function projectPayload(project: Project): ProjectPayload {
  return pickFields(project, ['id', 'org_id', 'workspace_id', 'name', 'description', 'type']);
}

export function apiKeyPayload(key: ApiKey): ApiKeyPayload {
  const payload: ApiKeyPayload = {
    key_id: key.id,
    keyHash: key.key_hash,
    org_id: key.org_id,
    workspace_id: key.workspace_id,
    project_id: key.project_id,
    projectName: key.project_name,
    scopes: [...key.scopes],
    revoked: key.status === 'revoked',
    createdAt: Date.parse(key.created_at),
  };
  if (key.expires_at !== undefined) payload.expiresAt = Date.parse(key.expires_at);
  return payload;
}

export function projectChange(project: Project): ConfigChange {
  return { type: 'project.upserted', version: project.version, payload: projectPayload(project) };
}

type DeletionType = Extract<ConfigChange['type'], `${string}.deleted`>;
/** The payload a change of this type carries. */
type PayloadOf<Type extends ConfigChange['type']> = ConfigChange extends infer Change
  ? Change extends { type: infer Types; payload: infer Payload }
    ? Type extends Types
      ? Payload
      : never
    : never
  : never;

/**
 * The change that deletes a record. Its version is above every upsert's, so a data plane that
 * still holds (or later receives) an upsert of the record cannot bring it back.
 */
export function deletion<Type extends DeletionType>(
  type: Type,
  record: { version: number },
  payload: PayloadOf<Type>,
): ConfigChange {
  return { type, version: record.version + 1, payload } as ConfigChange;
}

export function apiKeyChange(key: ApiKey): ConfigChange {
  return key.status === 'revoked'
    ? { type: 'api-key.revoked', version: key.version, payload: apiKeyPayload(key) }
    : { type: 'api-key.upserted', version: key.version, payload: apiKeyPayload(key) };
}

/** A publisher that keeps changes in memory (tests, local wiring before the sync consumes them). */
export class MemoryChangePublisher implements ChangePublisher {
  readonly published: ConfigChange[] = [];

  async publish(change: ConfigChange): Promise<void> {
    this.published.push(structuredClone(change));
  }
}
