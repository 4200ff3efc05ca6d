/**
 * One entry point for the data plane's `Authorization` header: a `wgl_` API key goes to the key
 * registry (authenticate.ts), a JWT to the control-plane token verifier. Either way the caller gets
 * a Principal pinned to one project, and a credential for project A never reaches project B's data.
 * Every attempt runs behind the brute-force guard, so failures of every kind (no header, malformed
 * header, bad key, bad token) spend one budget per source.
 */

import { ForbiddenError, ValidationError } from '../errors';
import type { TokenRole } from '../tokens/claims';
import { API_KEY_PREFIX } from './api-key';
import type { Authenticate, AuthenticatorOptions } from './authenticate';
import { type BruteForceGuardOptions, createBruteForceGuard } from './brute-force-guard';
import { CredentialRejected } from './credential-rejected';
import type { ApiKeyScope, Principal } from './principal';
import type { TokenVerifier } from './token-verifier';

interface RequestAuthenticatorDeps {
  apiKeys: Authenticate;
  /** Absent: JWTs are refused (a data plane with no control plane configured). */
  tokens?: TokenVerifier;
  /** The project's name as clients know it (HoneyHive `project`); without it a token's project id stands in. */
  projectName?: (projectId: string) => Promise<string | undefined>;
  /** Where and how failed authentications are counted; functions that share a rateLimiter share the budget. */
  failures?: BruteForceGuardOptions;
}

/** What a data-plane function may tune: the API-key cache and the brute-force guard. */
export type DataPlaneAuthOptions = AuthenticatorOptions & BruteForceGuardOptions;

interface RequestTarget {
  scope: ApiKeyScope;
  /** The project the request addresses (id, or for API keys also the name); must be the credential's. */
  projectId?: string;
  /**
   * Who is calling, for the brute-force limit: API Gateway's `requestContext.http.sourceIp`, the
   * address the connection came from. Never a header such as X-Forwarded-For, which the client writes.
   */
  clientId: string;
}

/** A Principal, plus who signed in when the credential was a token (keyHash is then ''). */
export type RequestPrincipal = Principal &
  ({ via: 'api-key' } | { via: 'token'; subject: string; role: TokenRole; projects: string[] });

type AuthenticateRequest = (
  authorization: string | undefined,
  target: RequestTarget,
) => Promise<RequestPrincipal>;

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** What each role may do on the data plane; admin is the data plane's own admin scope (deletions). */
const ROLE_SCOPES: Record<TokenRole, readonly ApiKeyScope[]> = {
  owner: ['ingest', 'read', 'admin'],
  admin: ['ingest', 'read', 'admin'],
  member: ['ingest', 'read'],
  viewer: ['read'],
};

export function createRequestAuthenticator(deps: RequestAuthenticatorDeps): AuthenticateRequest {
  const guard = createBruteForceGuard(deps.failures);
  return (authorization, target) => guard(target.clientId, () => principalFor(deps, authorization, target));
}

async function principalFor(
  deps: RequestAuthenticatorDeps,
  authorization: string | undefined,
  target: RequestTarget,
): Promise<RequestPrincipal> {
  const credential = authorization ? BEARER.exec(authorization)?.[1] : undefined;
  if (credential?.startsWith(API_KEY_PREFIX)) {
    const principal = await deps.apiKeys(authorization, target.scope);
    if (target.projectId !== undefined && !namesProject(principal, target.projectId)) {
      throw new ForbiddenError('This API key is not for the requested project');
    }
    return { ...principal, via: 'api-key' };
  }
  if (credential && JWT_SHAPE.test(credential)) {
    if (!deps.tokens) throw unauthorized('Tokens are not accepted by this data plane');
    return fromToken(deps, credential, target);
  }
  throw unauthorized('Missing or malformed credentials: send "Authorization: Bearer <api key or token>"');
}

async function fromToken(
  deps: RequestAuthenticatorDeps,
  token: string,
  target: RequestTarget,
): Promise<RequestPrincipal> {
  const verified = await (deps.tokens as TokenVerifier)(token);
  const scopes = ROLE_SCOPES[verified.role];
  if (!scopes.includes(target.scope)) {
    throw new ForbiddenError(`The "${verified.role}" role lacks the "${target.scope}" scope`);
  }
  const projectId = target.projectId ?? soleProject(verified.projects);
  if (!verified.projects.includes(projectId)) {
    throw new ForbiddenError('This token is not for the requested project');
  }
  return {
    via: 'token',
    org_id: verified.org_id,
    workspace_id: verified.workspace_id,
    project_id: projectId,
    projectName: (await deps.projectName?.(projectId)) ?? projectId,
    scopes: [...scopes],
    keyHash: '',
    subject: verified.subject,
    role: verified.role,
    projects: verified.projects,
  };
}

function soleProject(projects: string[]): string {
  if (projects.length !== 1) {
    throw new ValidationError('This token covers several projects: name the project in the request');
  }
  return projects[0] as string;
}

function namesProject(principal: Principal, project: string): boolean {
  return project === principal.project_id || project === principal.projectName;
}

function unauthorized(message: string): CredentialRejected {
  return new CredentialRejected('unauthorized', message, 'required');
}
