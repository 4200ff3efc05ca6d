/**
 * Who calls a data-plane function (ingest, query): the request's `Authorization` (an API key or a
 * control-plane token), the project it addresses (`x-waggle-project`: a project id, or for API keys
 * also its name; needed only with a token that lists several projects, and when sent it must be the
 * credential's project, else 403, so a credential never reaches another project's data) and its
 * source address for the brute-force limit (API Gateway's sourceIp, never a header the client writes).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createAuthenticator } from '../domain/auth/authenticate';
import {
  createRequestAuthenticator,
  type DataPlaneAuthOptions,
  type RequestPrincipal,
} from '../domain/auth/authenticate-request';
import type { ApiKeyScope } from '../domain/auth/principal';
import type { TokenVerifier } from '../domain/auth/token-verifier';
import type { KeyRegistry } from '../domain/ports';

export interface DataPlaneCallerDeps {
  keys: KeyRegistry;
  clock: () => number;
  /** Key cache and brute-force limit; give ingest and query one rateLimiter so they share the budget. */
  auth?: DataPlaneAuthOptions;
  /** Control-plane tokens (JWTs) are accepted only with a verifier; API keys always are. */
  tokens?: TokenVerifier;
  /** A token's project id -> the project's name as clients know it. */
  projectName?: (projectId: string) => Promise<string | undefined>;
}

type AuthenticateCaller = (event: APIGatewayProxyEventV2, scope: ApiKeyScope) => Promise<RequestPrincipal>;

const PROJECT_HEADER = 'x-waggle-project';

export function createCallerAuthenticator(deps: DataPlaneCallerDeps): AuthenticateCaller {
  const authenticate = createRequestAuthenticator({
    apiKeys: createAuthenticator(deps.keys, { clock: deps.clock, ...deps.auth }),
    failures: { clock: deps.clock, ...deps.auth },
    tokens: deps.tokens,
    projectName: deps.projectName,
  });
  return (event, scope) =>
    authenticate(event.headers.authorization, {
      scope,
      projectId: requestedProject(event),
      clientId: event.requestContext.http.sourceIp,
    });
}

function requestedProject(event: APIGatewayProxyEventV2): string | undefined {
  const value = event.headers[PROJECT_HEADER]?.trim();
  return value === undefined || value === '' ? undefined : value;
}
