/**
 * `POST /v1/tokens`: a signed-in user asks for a data-plane token for one project they may read.
 * The role in the token is the user's effective role in the project's workspace, read from the
 * store now; tokens are cached per (user, data plane, project, role) and live at most 15 minutes.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Actor } from '../domain/control-plane/actor';
import type { Project } from '../domain/control-plane/model';
import { authorize } from '../domain/control-plane/policy';
import type { ControlPlaneStore } from '../domain/control-plane/store';
import { ForbiddenError, ValidationError } from '../domain/errors';
import {
  createTokenCache,
  issueToken,
  MAX_TOKEN_TTL_SECONDS,
  type Signer,
  type TokenRole,
} from '../domain/tokens';

export interface TokenServiceDeps {
  store: ControlPlaneStore;
  signer: Signer;
  issuer: () => string;
  dataPlaneId: string;
  clock?: () => number;
}

type TokenRoute = (actor: Actor, body: Record<string, unknown>) => Promise<APIGatewayProxyStructuredResultV2>;

export function createTokenRoute(deps: TokenServiceDeps): TokenRoute {
  const clock = deps.clock ?? Date.now;
  const cache = createTokenCache(
    (key) => {
      const [org, workspace, project, role] = JSON.parse(key.scope) as [string, string, string, TokenRole];
      const subject = {
        iss: deps.issuer(),
        aud: key.aud,
        sub: key.sub,
        org,
        workspace,
        projects: [project],
        role,
      };
      return issueToken(deps.signer, subject, { now: clock(), ttlSeconds: MAX_TOKEN_TTL_SECONDS });
    },
    { refreshBeforeSeconds: 300, clock },
  );

  return async (actor, body) => {
    const projectId = body.project_id;
    const orgId = body.org_id;
    if (typeof projectId !== 'string' || projectId === '')
      throw new ValidationError('project_id is required');
    if (orgId !== undefined && typeof orgId !== 'string')
      throw new ValidationError('org_id must be a string');
    const project = await findProject(deps.store, actor, projectId, orgId);
    const decision = project
      ? authorize(actor, 'project.read', { org_id: project.org_id, workspace_id: project.workspace_id })
      : undefined;
    // Unknown and forbidden look the same: a token request does not reveal which projects exist.
    if (!project || !decision?.allowed) throw new ForbiddenError('Forbidden');
    const scope = JSON.stringify([project.org_id, project.workspace_id, project.id, decision.role]);
    const issued = await cache.get({ sub: actor.user_id, aud: deps.dataPlaneId, scope });
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: JSON.stringify({
        token: issued.token,
        token_type: 'Bearer',
        expires_at: new Date(issued.expiresAt).toISOString(),
        project_id: project.id,
        role: decision.role,
        audience: deps.dataPlaneId,
      }),
    };
  };
}

/** Looks only in organizations the actor belongs to (or the one named, which authorize then checks). */
async function findProject(
  store: ControlPlaneStore,
  actor: Actor,
  projectId: string,
  orgId: string | undefined,
): Promise<Project | undefined> {
  const orgs = orgId !== undefined ? [orgId] : [...new Set(actor.memberships.map((m) => m.org_id))];
  for (const org of orgs) {
    const project = await store.get({ kind: 'project', org_id: org, id: projectId });
    if (project) return project;
  }
  return undefined;
}
