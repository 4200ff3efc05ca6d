/**
 * AWS Lambda entry point of the control-plane API: createControlPlaneApi on the DynamoDB store,
 * callers from the HTTP API's JWT authorizer, and changes published to every data plane's inbox as
 * signed sync messages (KMS key, DynamoDB sequence counters, SQS across accounts and regions).
 * Under the standard observability stack (HTTP API requests).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DynamoControlPlaneStore } from '../adapters/aws/control-plane-store';
import { DynamoMonitorStateBoard } from '../adapters/aws/dynamo-monitor-state-board';
import { createObservability } from '../adapters/aws/observability';
import { awsSyncPublisher, controlPlaneSigner } from '../adapters/aws/sync-publisher-wiring';
import { createTokenVerifier, type TokenVerifier } from '../domain/auth/token-verifier';
import type { ChangePublisher } from '../domain/control-plane/changes';
import { UnauthorizedError } from '../domain/errors';
import { createSyncChangePublisher } from '../domain/sync/control-plane-changes';
import { jwtAuthorizerActor } from '../http/jwt-authorizer-actor';
import { createControlPlaneApi } from './app';
import { createConfigurationWriter } from './configuration-writers';
import { readControlPlaneApiEnvironment } from './environment';

const env = readControlPlaneApiEnvironment();
const { logger, count, traced, wrap, internalError } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));
const store = new DynamoControlPlaneStore(dynamo, env.CONTROL_PLANE_TABLE_NAME);
const { publisher, dataPlaneIds } = awsSyncPublisher(dynamo, controlPlaneSigner(env, traced), env, traced);

// Every data plane holds every organization's config for now (no org-to-plane placement yet).
const syncChanges = createSyncChangePublisher({ publisher, dataPlanesFor: async () => dataPlaneIds });
const changes: ChangePublisher = {
  async publish(change) {
    try {
      await syncChanges.publish(change);
      count('ChangesPublished');
    } catch (error) {
      // The request fails (500); the next reconciliation sends what a data plane missed.
      count('ChangePublishFailures');
      throw error;
    }
  },
};

// Data-plane tokens forwarded with configuration writes: one verifier per data plane (the token's `aud`).
const tokenVerifiers = new Map<string, TokenVerifier>(
  env.TOKEN_ISSUER === undefined
    ? []
    : dataPlaneIds.map((id) => [
        id,
        createTokenVerifier({
          issuer: env.TOKEN_ISSUER as string,
          audience: id,
          jwks: { uri: `${env.TOKEN_ISSUER}/.well-known/jwks.json` },
        }),
      ]),
);
const dataPlaneTokens: TokenVerifier = async (token) => {
  const verifier = tokenVerifiers.get(audienceOf(token));
  if (!verifier) throw new UnauthorizedError('This token is not for a data plane of this control plane');
  return verifier(token);
};

const api = createControlPlaneApi({
  store,
  changes,
  actorFrom: jwtAuthorizerActor(store),
  // The write routes have no API Gateway authorizer (keys and data-plane tokens): no claims, no actor.
  configurationWriter: createConfigurationWriter({
    store,
    actorFrom: () => undefined,
    tokens: dataPlaneTokens,
  }),
  monitorStates: new DynamoMonitorStateBoard(dynamo, env.CONTROL_PLANE_TABLE_NAME),
  onError: internalError('control-plane failure'),
});

export const handler = wrap('http', async (event: APIGatewayProxyEventV2) => {
  const response = await api(event);
  count('RequestsAnswered');
  logger.debug('request answered', { routeKey: event.routeKey, status: response.statusCode });
  return response;
});

/** The unverified `aud` of a JWT, only to choose the verifier that then checks everything. */
function audienceOf(token: string): string {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload.aud === 'string' ? payload.aud : '';
  } catch {
    return '';
  }
}
