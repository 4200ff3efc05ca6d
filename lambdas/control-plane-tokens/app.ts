/**
 * The token service over API Gateway HTTP API (payload v2) events:
 * - `GET /.well-known/jwks.json` (public): the key ring's public keys, current and previous.
 * - `POST /v1/tokens` (behind the user-pool JWT authorizer): body `{ data_plane_id, project_id }`;
 *   an ES256 token of at most 15 minutes for the caller on that one project and data plane, if the
 *   policy function lets the caller read the project. Tokens come from the token cache.
 * No AWS imports: the Lambda handler and the local platform wire their own signer and store.
 */
import type { Actor } from '../domain/control-plane/actor';
import type { Project } from '../domain/control-plane/model';
import { authorize } from '../domain/control-plane/policy';
import type { ControlPlaneStore } from '../domain/control-plane/store';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../domain/errors';
import {
  createTokenCache,
  issueToken,
  type KeyRing,
  keyRingJwks,
  MAX_TOKEN_TTL_SECONDS,
  type TokenCacheKey,
  type TokenRole,
} from '../domain/tokens';
import { CONTROL_PLANE_BODY_LIMITS, parseJsonObject } from '../http/json-object-body';
import { jsonResponse as json } from '../http/json-response';
import type { ActorFrom } from '../http/jwt-authorizer-actor';
import { createHttpApi, type HttpApi, type HttpRequest, type HttpResult } from '../http/router';
import { TOKEN_ROUTES, type TokenRouteKey } from './routes';

export interface TokenServiceDeps {
  store: ControlPlaneStore;
  keyRing: KeyRing;
  /** The `iss` of every token: the control plane's URL. */
  issuer: string;
  /** The data planes tokens may be issued for (their ids are the `aud`). */
  dataPlaneIds: readonly string[];
  actorFrom: ActorFrom;
  ttlSeconds?: number;
  clock?: () => number;
  onError?: (error: unknown, context: { routeKey: string; status: number }) => void;
}

export type TokenService = HttpApi;

/** What the cache key's scope holds; issuing reads it back, so the cache key is the whole subject. */
interface TokenScope {
  org: string;
  workspace: string;
  projects: string[];
  role: TokenRole;
}

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function createTokenService(deps: TokenServiceDeps): TokenService {
  const ttlSeconds = deps.ttlSeconds ?? MAX_TOKEN_TTL_SECONDS;
  const clock = deps.clock ?? Date.now;
  const dataPlanes = new Set(deps.dataPlaneIds);
  const cache = createTokenCache(
    (key: TokenCacheKey) => {
      const scope = JSON.parse(key.scope) as TokenScope;
      return issueToken(
        deps.keyRing.current,
        { iss: deps.issuer, aud: key.aud, sub: key.sub, ...scope },
        { now: clock(), ttlSeconds },
      );
    },
    // A cached token is handed out with at least two thirds of its life left.
    { refreshBeforeSeconds: Math.floor((ttlSeconds * 2) / 3), clock },
  );

  async function issue(request: HttpRequest) {
    const actor = await deps.actorFrom(request.event);
    if (!actor) throw new UnauthorizedError('Sign in first');
    const body = parseJsonObject(request);
    const dataPlaneId = body.data_plane_id;
    const projectId = body.project_id;
    if (typeof dataPlaneId !== 'string' || !ID_PATTERN.test(dataPlaneId))
      throw new ValidationError('data_plane_id must be a data plane id');
    if (typeof projectId !== 'string' || !ID_PATTERN.test(projectId))
      throw new ValidationError('project_id must be a project id');
    if (!dataPlanes.has(dataPlaneId)) throw new ValidationError(`Unknown data plane ${dataPlaneId}`);
    const project = await findProject(deps.store, actor, projectId);
    // Not found and not allowed look the same: a caller learns nothing about other tenants' projects.
    if (!project) throw new ForbiddenError('Forbidden');
    const decision = authorize(actor, 'project.read', {
      org_id: project.org_id,
      workspace_id: project.workspace_id,
    });
    if (!decision.allowed) throw new ForbiddenError('Forbidden');
    const scope: TokenScope = {
      org: project.org_id,
      workspace: project.workspace_id,
      projects: [project.id],
      role: decision.role,
    };
    const issued = await cache.get({ sub: actor.user_id, aud: dataPlaneId, scope: JSON.stringify(scope) });
    return {
      token: issued.token,
      token_type: 'Bearer',
      expires_at: new Date(issued.expiresAt).toISOString(),
      data_plane_id: dataPlaneId,
      project_id: project.id,
      role: issued.claims.role,
    };
  }

  const handlers: Record<TokenRouteKey, (request: HttpRequest) => Promise<HttpResult>> = {
    'GET /.well-known/jwks.json': async () =>
      json(200, await keyRingJwks(deps.keyRing), {
        // Data planes cache it; a rotation keeps the previous key published for longer than this.
        'cache-control': 'public, max-age=300',
      }),
    'POST /v1/tokens': async (request) => json(200, await issue(request), { 'cache-control': 'no-store' }),
  };
  return createHttpApi({
    routes: TOKEN_ROUTES.map((routeKey) => ({ routeKey, handler: handlers[routeKey] })),
    bodyLimits: CONTROL_PLANE_BODY_LIMITS,
    onError: deps.onError,
  });
}

/** The project in one of the caller's organizations; projects are stored per organization. */
async function findProject(
  store: ControlPlaneStore,
  actor: Actor,
  projectId: string,
): Promise<Project | undefined> {
  const orgs = [...new Set(actor.memberships.map((membership) => membership.org_id))];
  for (const org_id of orgs) {
    const project = await store.get({ kind: 'project', org_id, id: projectId });
    if (project) return project;
  }
  return undefined;
}
