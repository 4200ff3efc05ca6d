/** Who calls a control-plane HTTP function (API, tokens): the actor behind an API Gateway event. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type Actor, actorFromClaims, type JwtClaims } from '../domain/control-plane/actor';
import type { ControlPlaneStore } from '../domain/control-plane/store';

/** The caller of a request; undefined when it is not signed in (a 401). */
export type ActorFrom = (event: APIGatewayProxyEventV2) => Actor | undefined | Promise<Actor | undefined>;

/** ActorFrom for API Gateway's JWT authorizer: the verified claims' `sub`, with memberships from the store. */
export function jwtAuthorizerActor(store: ControlPlaneStore): ActorFrom {
  return (event) => {
    const requestContext = event.requestContext as { authorizer?: { jwt?: { claims?: JwtClaims } } };
    return actorFromClaims(requestContext.authorizer?.jwt?.claims, store);
  };
}
