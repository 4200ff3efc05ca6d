/**
 * Projects, with names unique per organization (HoneyHive's API and the ingest `project` field
 * look projects up by name). Uniqueness without transactions: a NameClaim is written with a
 * must-not-exist condition before the project, and released if the project write fails. A claim
 * left behind by a crash is recognised as stale (its owner does not hold that name) and reclaimed.
 */
import { deleteChannel, listChannels } from '../alerts/channels';
import { deleteMonitor, listMonitors } from '../alerts/monitors/monitors';
import { deleteConfiguration, listConfigurationRecords } from '../configurations/configurations';
import { deleteTool, listTools } from '../configurations/tools';
import { ConflictError } from '../errors';
import { deleteProjectMetrics } from '../evaluators/definitions/metrics';
import { putKey, revokeKey } from './api-keys';
import { deletion, projectChange, projectPayload } from './changes';
import { type ControlPlaneContext, isoNow } from './context';
import {
  firstVersion,
  type NameClaim,
  nextVersion,
  type Project,
  type ProjectType,
  projectNameClaimId,
} from './model';
import { VersionConflictError } from './store';

interface ProjectInput {
  name: string;
  description?: string;
  type?: ProjectType;
}

export async function findProjectByName(
  context: ControlPlaneContext,
  orgId: string,
  name: string,
): Promise<Project | undefined> {
  const claim = await context.store.get({ kind: 'name-claim', org_id: orgId, id: projectNameClaimId(name) });
  if (!claim) return undefined;
  const project = await context.store.get({ kind: 'project', org_id: orgId, id: claim.owner_id });
  return project?.name === name ? project : undefined;
}

export async function createProject(
  context: ControlPlaneContext,
  target: { org_id: string; workspace_id: string },
  input: ProjectInput,
): Promise<Project> {
  const project: Project = {
    kind: 'project',
    org_id: target.org_id,
    workspace_id: target.workspace_id,
    id: context.newId(),
    name: input.name,
    ...firstVersion(isoNow(context)),
  };
  if (input.description !== undefined) project.description = input.description;
  if (input.type !== undefined) project.type = input.type;
  const claim = await claimName(context, project);
  try {
    await context.store.put(project);
  } catch (error) {
    await context.store.delete(claim, claim.version);
    throw error;
  }
  await context.changes.publish(projectChange(project));
  return project;
}

export async function updateProject(
  context: ControlPlaneContext,
  project: Project,
  input: { new_name?: string; description?: string; type?: ProjectType },
): Promise<Project> {
  const renamed = input.new_name !== undefined && input.new_name !== project.name;
  const changes: Partial<Project> = {};
  if (renamed) changes.name = input.new_name;
  if (input.description !== undefined) changes.description = input.description;
  if (input.type !== undefined) changes.type = input.type;
  const updated = nextVersion(project, changes, isoNow(context));
  const newClaim = renamed ? await claimName(context, updated) : undefined;
  try {
    await context.store.put(updated);
  } catch (error) {
    if (newClaim) await context.store.delete(newClaim, newClaim.version);
    throw error;
  }
  if (renamed) {
    await releaseName(context, project);
    await renameKeys(context, updated);
  }
  await context.changes.publish(projectChange(updated));
  return updated;
}

/**
 * Deletes a project after what would outlive it: its monitors, metrics, prompt configurations and
 * tools (each tombstone published, so no data plane keeps evaluating or serving them), its
 * notification channels, and its keys (revoked, so no data plane keeps accepting them). The project
 * goes last: a crash part way leaves it there to delete again. Versions kept as history stay, as
 * they do when one record is deleted.
 */
export async function deleteProject(context: ControlPlaneContext, project: Project): Promise<void> {
  for (const monitor of await listMonitors(context, project)) await deleteMonitor(context, monitor);
  await deleteProjectMetrics(context, project);
  for (const configuration of await listConfigurationRecords(context, project))
    await deleteConfiguration(context, configuration);
  for (const tool of await listTools(context, project)) await deleteTool(context, tool);
  for (const channel of await listChannels(context, project)) await deleteChannel(context, channel);
  const keys = await context.store.listByOrg('api-key', project.org_id);
  for (const key of keys) {
    if (key.project_id === project.id && key.status === 'active') await revokeKey(context, key);
  }
  await context.store.delete(project, project.version);
  await releaseName(context, project);
  await context.changes.publish(deletion('project.deleted', project, projectPayload(project)));
}

async function claimName(context: ControlPlaneContext, project: Project): Promise<NameClaim> {
  const now = isoNow(context);
  const claim: NameClaim = {
    kind: 'name-claim',
    org_id: project.org_id,
    id: projectNameClaimId(project.name),
    owner_id: project.id,
    ...firstVersion(now),
  };
  try {
    await context.store.put(claim);
    return claim;
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
  }
  const existing = await context.store.get(claim);
  if (existing && (await findProjectByName(context, project.org_id, project.name))) {
    throw new ConflictError(`A project named "${project.name}" already exists`);
  }
  // Stale claim: take it over with a versioned write, so two racing creators cannot both win.
  const takeover = existing ? nextVersion(existing, { owner_id: project.id }, now) : claim;
  await context.store.put(takeover);
  return takeover;
}

async function releaseName(context: ControlPlaneContext, project: Project): Promise<void> {
  const claim = await context.store.get({
    kind: 'name-claim',
    org_id: project.org_id,
    id: projectNameClaimId(project.name),
  });
  // Only the claim this project holds; a new project may already own the name.
  if (claim?.owner_id === project.id) await context.store.delete(claim, claim.version);
}

/** Keys carry the project name to data planes (ingest matches it), so a rename re-publishes them. */
async function renameKeys(context: ControlPlaneContext, project: Project): Promise<void> {
  const keys = await context.store.listByOrg('api-key', project.org_id);
  for (const key of keys) {
    if (key.project_id !== project.id) continue;
    await putKey(context, nextVersion(key, { project_name: project.name }, isoNow(context)));
  }
}
