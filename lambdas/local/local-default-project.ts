/**
 * The one default project of a local run with the control plane: the key `npm start` prints and
 * saves as `apiKey` in local.json is a key of the control plane's project (default: "default"),
 * made through the control plane's domain (stored, listed, revocable, synced to the data plane like
 * any key), so the data it sends lands under the control-plane project's id and control-plane
 * tokens for that project read it.
 */
import { hashApiKey } from '../domain/auth/api-key';
import { API_KEY_SCOPES } from '../domain/auth/principal';
import { createKey, registerKey } from '../domain/control-plane/api-keys';
import type { ControlPlaneContext } from '../domain/control-plane/context';
import type { ApiKey, Project } from '../domain/control-plane/model';
import { createProject, findProjectByName } from '../domain/control-plane/projects';
import type { KeyRegistry } from '../domain/ports';

/** How long the start waits for the sync to bring a new local key to the data plane's registry. */
const SYNC_WAIT_MS = 15_000;

export interface LocalKeyRequest {
  /** The project's name (WAGGLE_LOCAL_PROJECT); created in the admin's organization if missing. */
  projectName: string;
  /** WAGGLE_LOCAL_API_KEY: this exact key is registered for the project (imported if new). */
  apiKey?: string;
  /** Keys of earlier starts (local.json `apiKey`, then `controlPlane.apiKey`): the first still active key of the project is kept. */
  savedKeys?: string[];
}

export interface LocalKey {
  apiKey: string;
  project_id: string;
  project: string;
  org_id: string;
  workspace_id: string;
  /** true when this start created or imported the key. */
  created: boolean;
}

export async function ensureLocalKey(
  context: ControlPlaneContext,
  adminUserId: string,
  keyRegistry: KeyRegistry,
  request: LocalKeyRequest,
): Promise<LocalKey> {
  const project = await localProject(context, adminUserId, request.projectName);
  const projectKeys = (await context.store.listByOrg('api-key', project.org_id)).filter(
    (key) => key.project_id === project.id,
  );
  const byHash = (key: string) => projectKeys.find((record) => record.key_hash === hashApiKey(key));
  const result = (apiKey: string, created: boolean): LocalKey => ({
    apiKey,
    project_id: project.id,
    project: project.name,
    org_id: project.org_id,
    workspace_id: project.workspace_id,
    created,
  });

  let chosen: LocalKey | undefined;
  if (request.apiKey) {
    const existing = byHash(request.apiKey);
    if (existing && !isActive(existing, context.clock())) {
      throw new Error(
        `WAGGLE_LOCAL_API_KEY was revoked through the control plane (key ${existing.id}); unset it or choose another key`,
      );
    }
    if (!existing)
      await registerKey(context, project, request.apiKey, {
        scopes: API_KEY_SCOPES,
        created_by: adminUserId,
      });
    chosen = result(request.apiKey, !existing);
  } else {
    const kept = request.savedKeys?.find((key) => {
      const record = key ? byHash(key) : undefined;
      return record !== undefined && isActive(record, context.clock());
    });
    if (kept) chosen = result(kept, false);
    else {
      const { key } = await createKey(context, project, {
        scopes: [...API_KEY_SCOPES],
        created_by: adminUserId,
      });
      chosen = result(key, true);
    }
  }
  await waitForSync(keyRegistry, hashApiKey(chosen.apiKey), project.id);
  return chosen;
}

/** The named project in the local admin's organization, created (in its first workspace) if missing. */
async function localProject(
  context: ControlPlaneContext,
  adminUserId: string,
  name: string,
): Promise<Project> {
  const memberships = await context.store.membershipsOfUser(adminUserId);
  const orgIds = [...new Set(memberships.map((membership) => membership.org_id))].sort();
  for (const orgId of orgIds) {
    const project = await findProjectByName(context, orgId, name);
    if (project) return project;
  }
  const orgId = orgIds[0];
  if (!orgId)
    throw new Error('the local admin belongs to no organization; delete the data folder to start over');
  const workspaceId =
    memberships.find((membership) => membership.org_id === orgId && membership.workspace_id)?.workspace_id ??
    (await context.store.listByOrg('workspace', orgId)).map((workspace) => workspace.id).sort()[0];
  if (!workspaceId) throw new Error(`the local organization ${orgId} has no workspace`);
  return createProject(context, { org_id: orgId, workspace_id: workspaceId }, { name });
}

function isActive(key: ApiKey, now: number): boolean {
  return key.status === 'active' && (key.expires_at === undefined || Date.parse(key.expires_at) > now);
}

/** The key works once the sync has written it to the registry (normally well under a second). */
async function waitForSync(keys: KeyRegistry, keyHash: string, projectId: string): Promise<void> {
  const deadline = Date.now() + SYNC_WAIT_MS;
  for (;;) {
    const record = await keys.findByHash(keyHash);
    if (record && record.project_id === projectId && !record.revoked) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the local API key did not reach the data plane's key registry within ${SYNC_WAIT_MS / 1000} s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
