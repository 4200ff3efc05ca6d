/**
 * The control plane's records. Every record belongs to one organization (its partition in any store)
 * and carries `version`, which starts at 1 and goes up by one on every write: stores use it for
 * optimistic concurrency, and config changes carry it so data planes apply them in order.
 */
import type { ChannelRecord } from '../alerts/channel';
import type { MonitorContent } from '../alerts/monitors/definition';
import type { ApiKeyScope } from '../auth/principal';
import type { ConfigurationEnvironment } from '../configurations/configuration';
import type { VersionContent } from '../configurations/configuration-input';
import type { MetricContent } from '../evaluators/definitions/metric-content';

/** Roles from weakest to strongest; a stronger role can do everything a weaker one can. */
export const ROLES = ['viewer', 'member', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export const PROJECT_TYPES = ['evaluation', 'completion'] as const;
export type ProjectType = (typeof PROJECT_TYPES)[number];

interface Versioned {
  org_id: string;
  id: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface Organization extends Versioned {
  kind: 'organization';
  name: string;
  /** The workspace created with the organization; projects go there when none is named. */
  default_workspace_id: string;
}

export interface Workspace extends Versioned {
  kind: 'workspace';
  name: string;
}

/** HoneyHive's ProjectItem plus the workspace it lives in. */
export interface Project extends Versioned {
  kind: 'project';
  workspace_id: string;
  name: string;
  description?: string;
  type?: ProjectType;
}

/** A role held at the organization (workspace_id undefined) or in one workspace. */
export interface Membership extends Versioned {
  kind: 'membership';
  user_id: string;
  email?: string;
  workspace_id?: string;
  role: Role;
}

/**
 * A project's API key as the control plane keeps it: the SHA-256 of the key and a short display
 * prefix, never the key. `expires_at` is set on a key rotated with a grace period.
 */
export interface ApiKey extends Versioned {
  kind: 'api-key';
  workspace_id: string;
  project_id: string;
  project_name: string;
  key_hash: string;
  prefix: string;
  scopes: ApiKeyScope[];
  status: 'active' | 'revoked';
  created_by: string;
  expires_at?: string;
  revoked_at?: string;
  replaced_by?: string;
}

/**
 * Holds a unique name (e.g. a project name within an organization). Written with a must-not-exist
 * condition before the record that uses the name, since the store offers single-item writes only.
 */
export interface NameClaim extends Versioned {
  kind: 'name-claim';
  /** The id of the record holding the name. */
  owner_id: string;
}

/** One version of a configuration, as its record and its history keep it. */
export interface StoredConfigurationVersion {
  number: number;
  content: VersionContent;
  created_at: string;
}

/**
 * A prompt configuration (lambdas/domain/configurations/): `version` is its latest version (every
 * change makes one); `deployments` says which version each environment serves; `versions` holds the
 * latest and the deployed ones (what data planes need), the full history is in
 * ConfigurationVersionRecord records.
 */
export interface ConfigurationRecord extends Versioned {
  kind: 'configuration';
  workspace_id: string;
  project_id: string;
  name: string;
  deployments: Partial<Record<ConfigurationEnvironment, number>>;
  versions: StoredConfigurationVersion[];
}

/** One version of a configuration, kept after newer ones (id `<configuration id>#<number>`). */
export interface ConfigurationVersionRecord extends Versioned {
  kind: 'configuration-version';
  workspace_id: string;
  project_id: string;
  configuration_id: string;
  stored: StoredConfigurationVersion;
}

/** A tool (function) definition of a project, HoneyHive's /tools. */
export interface ToolRecord extends Versioned {
  kind: 'tool';
  workspace_id: string;
  project_id: string;
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
  tool_type: 'function' | 'tool';
}

/**
 * A metric (an evaluator, lambdas/domain/evaluators/definitions/): `version` is its latest version
 * (every change makes one) and `content` what that version holds; every version, the latest
 * included, is also an EvaluatorVersionRecord.
 */
export interface EvaluatorRecord extends Versioned {
  kind: 'evaluator';
  workspace_id: string;
  project_id: string;
  name: string;
  content: MetricContent;
}

/** One version of a metric, kept after newer ones (id `<evaluator id>#<number>`). */
export interface EvaluatorVersionRecord extends Versioned {
  kind: 'evaluator-version';
  workspace_id: string;
  project_id: string;
  evaluator_id: string;
  number: number;
  content: MetricContent;
}

/**
 * A monitor (lambdas/domain/alerts/monitors/): its definition, synced to data planes as the sync's
 * `alert` kind. Its state and history live in the data plane that evaluates it.
 */
export interface MonitorRecord extends Versioned {
  kind: 'monitor';
  workspace_id: string;
  project_id: string;
  content: MonitorContent;
}

export type ControlPlaneRecord =
  | Organization
  | Workspace
  | Project
  | Membership
  | ApiKey
  | NameClaim
  | ConfigurationRecord
  | ConfigurationVersionRecord
  | ToolRecord
  | EvaluatorRecord
  | EvaluatorVersionRecord
  | ChannelRecord
  | MonitorRecord;
export type RecordKind = ControlPlaneRecord['kind'];
export type RecordOf<K extends RecordKind> = Extract<ControlPlaneRecord, { kind: K }>;

export interface RecordRef<K extends RecordKind = RecordKind> {
  kind: K;
  org_id: string;
  id: string;
}

/** A membership's id: one per user and scope, so granting again replaces rather than duplicates. */
export function membershipId(userId: string, workspaceId?: string): string {
  return workspaceId === undefined ? `${userId}#org` : `${userId}#ws#${workspaceId}`;
}

/** The claim id for a project name (names are unique per organization, as HoneyHive's API looks projects up by name). */
export function projectNameClaimId(name: string): string {
  return `project-name#${name}`;
}

/** What a record's first write carries: version 1, created and updated now. */
export function firstVersion(now: string): Pick<Versioned, 'version' | 'created_at' | 'updated_at'> {
  return { version: 1, created_at: now, updated_at: now };
}

/** The owner fields of a record made in a project. */
export function inProject(project: Project): { org_id: string; workspace_id: string; project_id: string } {
  return { org_id: project.org_id, workspace_id: project.workspace_id, project_id: project.id };
}

/** The next version of a record, with updated_at moved to now. */
export function nextVersion<T extends ControlPlaneRecord>(record: T, changes: Partial<T>, now: string): T {
  return { ...record, ...changes, version: record.version + 1, updated_at: now };
}
