/**
 * The control plane's configuration operations. Every change is a new version (the record's
 * `version`, which is also what the sync orders by); the history stays in one
 * ConfigurationVersionRecord per version. Environments: each of dev, staging and prod serves at
 * most one version; a write that names `env` points those environments at the version it makes,
 * the other environments keep serving what they served (a write without `env` deploys nothing).
 * Names are unique per project (a NameClaim), as readers look configurations up by name.
 */
import { deletion } from '../control-plane/changes';
import { type ControlPlaneContext, findInProject, isoNow } from '../control-plane/context';
import { projectNameClaims, refuseSecrets } from '../control-plane/entity-names';
import {
  type ConfigurationRecord,
  type ConfigurationVersionRecord,
  firstVersion,
  inProject,
  type Project,
  type StoredConfigurationVersion,
} from '../control-plane/model';
import { TooLargeError } from '../errors';
import { CONFIGURATION_ENVIRONMENTS, type ConfigurationEnvironment } from './configuration';
import type { ConfigurationInput } from './configuration-input';
import { jsonBytes, MAX_SYNC_PAYLOAD_BYTES } from './limits';
import type { PromptPayload } from './synced';

/** The name claims that keep names unique in a project. */
const names = projectNameClaims<ConfigurationRecord>('configuration', configurationNameClaimId);

export function configurationNameClaimId(projectId: string, name: string): string {
  return `configuration-name#${projectId}#${name}`;
}

export async function createConfiguration(
  context: ControlPlaneContext,
  project: Project,
  input: ConfigurationInput,
): Promise<ConfigurationRecord> {
  refuseConfigurationSecrets(input);
  const now = isoNow(context);
  const stored: StoredConfigurationVersion = { number: 1, content: input.content, created_at: now };
  const record: ConfigurationRecord = {
    kind: 'configuration',
    ...inProject(project),
    id: context.newId(),
    name: input.name,
    deployments: deploy({}, input.env, 1),
    versions: [stored],
    ...firstVersion(now),
  };
  return putVersion(context, record, stored);
}

export async function updateConfiguration(
  context: ControlPlaneContext,
  current: ConfigurationRecord,
  input: ConfigurationInput,
): Promise<ConfigurationRecord> {
  refuseConfigurationSecrets(input);
  const now = isoNow(context);
  const number = current.version + 1;
  const stored: StoredConfigurationVersion = { number, content: input.content, created_at: now };
  const deployments = deploy(current.deployments, input.env, number);
  const record: ConfigurationRecord = {
    ...current,
    name: input.name,
    deployments,
    versions: servedVersions([...current.versions, stored], number, deployments),
    version: number,
    updated_at: now,
  };
  return putVersion(context, record, stored, current);
}

/**
 * Writes a configuration's new version (the first when there is no `current`): its name claimed
 * when new or renamed, the record, the old name released, the version's history entry, the change.
 */
async function putVersion(
  context: ControlPlaneContext,
  record: ConfigurationRecord,
  stored: StoredConfigurationVersion,
  current?: ConfigurationRecord,
): Promise<ConfigurationRecord> {
  checkPayloadSize(record);
  const renamed = record.name !== current?.name;
  if (renamed) await names.claim(context, record);
  // The conditional put (version n-1 -> n) makes concurrent updates of one configuration lose cleanly.
  await context.store.put(record);
  if (renamed && current) await names.release(context, current);
  await context.store.put(historyOf(record, stored));
  await context.changes.publish(promptChange(record));
  return record;
}

export async function deleteConfiguration(
  context: ControlPlaneContext,
  current: ConfigurationRecord,
): Promise<void> {
  await context.store.delete(
    { kind: 'configuration', org_id: current.org_id, id: current.id },
    current.version,
  );
  await names.release(context, current);
  await context.changes.publish(deletion('prompt.deleted', current, promptPayload(current)));
}

/** The project's configuration with this id; NotFoundError for another project's (never told apart). */
export async function findConfiguration(
  context: ControlPlaneContext,
  project: Project,
  id: string,
): Promise<ConfigurationRecord> {
  return findInProject(context, 'configuration', project, id, `No configuration ${id} in this project`);
}

export async function listConfigurationRecords(
  context: ControlPlaneContext,
  project: Project,
): Promise<ConfigurationRecord[]> {
  const records = await context.store.listByOrg('configuration', project.org_id);
  return records.filter((record) => record.project_id === project.id);
}

/** Every version ever written, oldest first. */
export async function configurationHistory(
  context: ControlPlaneContext,
  record: ConfigurationRecord,
): Promise<StoredConfigurationVersion[]> {
  const versions = await context.store.listByOrg('configuration-version', record.org_id);
  return versions
    .filter((version) => version.configuration_id === record.id)
    .map((version) => version.stored)
    .sort((a, b) => a.number - b.number);
}

export function promptPayload(record: ConfigurationRecord): PromptPayload {
  return {
    id: record.id,
    org_id: record.org_id,
    workspace_id: record.workspace_id,
    project_id: record.project_id,
    name: record.name,
    latest: record.version,
    deployments: { ...record.deployments },
    versions: record.versions.map((version) => structuredClone(version)),
    created_at: record.created_at,
    updated_at: record.updated_at,
  };
}

export function promptChange(record: ConfigurationRecord) {
  return { type: 'prompt.upserted' as const, version: record.version, payload: promptPayload(record) };
}

/** The environments named in `env` now serve `number`; the others keep theirs. */
export function deploy(
  deployments: Partial<Record<ConfigurationEnvironment, number>>,
  env: readonly ConfigurationEnvironment[] | undefined,
  number: number,
): Partial<Record<ConfigurationEnvironment, number>> {
  const next = { ...deployments };
  for (const name of env ?? []) next[name] = number;
  return next;
}

/** The versions a data plane needs: the latest and those some environment serves. */
function servedVersions(
  versions: readonly StoredConfigurationVersion[],
  latest: number,
  deployments: Partial<Record<ConfigurationEnvironment, number>>,
): StoredConfigurationVersion[] {
  const needed = new Set<number>([
    latest,
    ...CONFIGURATION_ENVIRONMENTS.flatMap((env) => deployments[env] ?? []),
  ]);
  return versions.filter((version) => needed.has(version.number));
}

function historyOf(
  record: ConfigurationRecord,
  stored: StoredConfigurationVersion,
): ConfigurationVersionRecord {
  return {
    kind: 'configuration-version',
    org_id: record.org_id,
    workspace_id: record.workspace_id,
    project_id: record.project_id,
    configuration_id: record.id,
    id: `${record.id}#${stored.number}`,
    stored,
    ...firstVersion(stored.created_at),
  };
}

function checkPayloadSize(record: ConfigurationRecord): void {
  if (jsonBytes(promptPayload(record)) > MAX_SYNC_PAYLOAD_BYTES)
    throw new TooLargeError(
      `The latest and deployed versions together exceed ${MAX_SYNC_PAYLOAD_BYTES / 1024} KiB (one sync message); deploy this version to fewer environments or shorten it`,
    );
}

function refuseConfigurationSecrets(input: ConfigurationInput): void {
  refuseSecrets(input.content, 'configuration', 'keep secrets in provider keys');
}
