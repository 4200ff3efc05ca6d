/**
 * AWS Lambda entry point of the token service: the KMS signing key (ECC_NIST_P256) as the key ring's
 * current key, an optional previous key during a rotation (PREVIOUS_SIGNING_KEY_ARN and _KID), the
 * control-plane table for the caller's memberships and projects, the JWT authorizer's claims.
 * Under the standard observability stack (HTTP API requests).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DynamoControlPlaneStore } from '../adapters/aws/control-plane-store';
import { KmsSigner } from '../adapters/aws/kms-signer';
import { createObservability } from '../adapters/aws/observability';
import { controlPlaneSigner } from '../adapters/aws/sync-publisher-wiring';
import type { KeyRing } from '../domain/tokens';
import { jwtAuthorizerActor } from '../http/jwt-authorizer-actor';
import { createTokenService } from './app';
import { readControlPlaneTokensEnvironment } from './environment';
import type { TokenRouteKey } from './routes';

const env = readControlPlaneTokensEnvironment();
const { logger, count, traced, wrap, internalError } = createObservability(env);
const store = new DynamoControlPlaneStore(traced(new DynamoDBClient({})), env.CONTROL_PLANE_TABLE_NAME);

const previousArn = env.PREVIOUS_SIGNING_KEY_ARN;
const previousKid = env.PREVIOUS_SIGNING_KEY_KID;
const keyRing: KeyRing = {
  current: controlPlaneSigner(env, traced),
  ...(previousArn &&
    previousKid && {
      previous: new KmsSigner(traced(new KMSClient({})), previousArn, { kid: previousKid }),
    }),
};

const service = createTokenService({
  store,
  keyRing,
  issuer: env.TOKEN_ISSUER,
  dataPlaneIds: env.DATA_PLANE_IDS,
  actorFrom: jwtAuthorizerActor(store),
  onError: internalError('token service failure'),
});

/** A 200 on this route is a data-plane token handed out. */
const ISSUE_ROUTE: TokenRouteKey = 'POST /v1/tokens';

export const handler = wrap('http', async (event: APIGatewayProxyEventV2) => {
  const response = await service(event);
  count('RequestsAnswered');
  if (event.routeKey === ISSUE_ROUTE && response.statusCode === 200) count('TokensIssued');
  logger.debug('request answered', { routeKey: event.routeKey, status: response.statusCode });
  return response;
});
