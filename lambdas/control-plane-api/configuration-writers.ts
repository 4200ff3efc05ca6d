/**
 * Who may write a project's configurations and tools on the control plane, and which project a
 * write is for. Three credentials, the same a data plane forwards unchanged:
 * - a project API key (`wgl_...`): the control plane owns the key records, so it checks the key's
 *   hash against its own store (active, not expired, with the `ingest` scope: a key that may send a
 *   project's data may write its configurations). Keys are stored per organization, so the caller
 *   names it (`x-waggle-org`, which the data plane sets from its own check); a wrong organization
 *   only means the key is not found.
 * - a signed-in user (the control plane's own ActorFrom) or a data-plane token the control plane
 *   issued: the user's current memberships must allow `configuration.write` (member or above) in the
 *   project's workspace, and a token must list the project.
 * The project comes from the key, else from `x-waggle-project` (an id); when the body also names
 * one (HoneyHive's `project` / `task`), it must be the same project (id or name), else 403.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { hashApiKey } from '../domain/auth/api-key';
import type { TokenVerifier } from '../domain/auth/token-verifier';
import type { Actor } from '../domain/control-plane/actor';
import type { Project } from '../domain/control-plane/model';
import { authorize } from '../domain/control-plane/policy';
import type { ControlPlaneStore } from '../domain/control-plane/store';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../domain/errors';
import type { ActorFrom } from '../http/jwt-authorizer-actor';

export const ORG_HEADER = 'x-waggle-org';
export const PROJECT_HEADER = 'x-waggle-project';

export interface ConfigurationWriterDeps {
  store: ControlPlaneStore;
  actorFrom: ActorFrom;
  /** Verifies data-plane tokens (the control plane's own); without it only keys and signed-in users write. */
  tokens?: TokenVerifier;
  clock?: () => number;
}

/** The project a write is for, once the caller may write it; `named` is what the body names, if anything. */
export type ConfigurationWriter = (
  event: APIGatewayProxyEventV2,
  named: string | undefined,
) => Promise<Project>;

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export function createConfigurationWriter(deps: ConfigurationWriterDeps): ConfigurationWriter {
  const clock = deps.clock ?? Date.now;
  return async (event, named) => {
    const credential = BEARER.exec(event.headers.authorization ?? '')?.[1];
    const project = credential?.startsWith('wgl_')
      ? await projectOfKey(credential, header(event, ORG_HEADER))
      : await projectOfMember(event, credential);
    if (named !== undefined && named !== project.id && named !== project.name)
      throw new ForbiddenError('This credential is not for the named project');
    return project;
  };

  async function projectOfKey(key: string, orgId: string | undefined): Promise<Project> {
    if (orgId === undefined) throw new UnauthorizedError(`An API key needs the ${ORG_HEADER} header here`);
    const keyHash = hashApiKey(key);
    const record = (await deps.store.listByOrg('api-key', orgId)).find(
      (candidate) => candidate.key_hash === keyHash,
    );
    const expired = record?.expires_at !== undefined && Date.parse(record.expires_at) <= clock();
    if (record?.status !== 'active' || expired) throw new UnauthorizedError('Unknown or revoked API key');
    if (!record?.scopes.includes('ingest'))
      throw new ForbiddenError('Writing configurations and tools needs a key with the "ingest" scope');
    const project = await deps.store.get({ kind: 'project', org_id: orgId, id: record.project_id });
    if (!project) throw new UnauthorizedError('Unknown or revoked API key');
    return project;
  }

  async function projectOfMember(
    event: APIGatewayProxyEventV2,
    credential: string | undefined,
  ): Promise<Project> {
    let actor: Actor | undefined = await deps.actorFrom(event);
    let tokenProjects: string[] | undefined;
    if (!actor && credential && deps.tokens) {
      const verified = await deps.tokens(credential);
      actor = {
        user_id: verified.subject,
        memberships: await deps.store.membershipsOfUser(verified.subject),
      };
      tokenProjects = verified.projects;
    }
    if (!actor) throw new UnauthorizedError('Sign in, or send an API key');
    const projectId = header(event, PROJECT_HEADER);
    if (projectId === undefined)
      throw new ValidationError(`Name the project in the ${PROJECT_HEADER} header`);
    const orgs = [...new Set(actor.memberships.map((membership) => membership.org_id))];
    const orgId = header(event, ORG_HEADER) ?? (orgs.length === 1 ? orgs[0] : undefined);
    const project =
      orgId === undefined
        ? undefined
        : await deps.store.get({ kind: 'project', org_id: orgId, id: projectId });
    const allowed =
      project !== undefined &&
      (tokenProjects === undefined || tokenProjects.includes(project.id)) &&
      authorize(actor, 'configuration.write', { org_id: project.org_id, workspace_id: project.workspace_id })
        .allowed;
    // Whether the project exists is not told to someone who may not write it.
    if (!project || !allowed) throw new ForbiddenError('Forbidden');
    return project;
  }
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const value = event.headers[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}
