/**
 * AWS Lambda entry point of the control-plane API: createControlPlaneApi on the DynamoDB store,
 * callers from the HTTP API's JWT authorizer, and changes published to every data plane's inbox as
 * signed sync messages (KMS key, DynamoDB sequence counters, SQS across accounts and regions).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { DynamoControlPlaneStore } from '../adapters/aws/control-plane-store';
import { requiredEnv } from '../adapters/aws/required-env';
import { createSyncChangePublisher } from '../domain/sync/control-plane-changes';
import { awsSyncPublisher, controlPlaneSigner } from '../sync-publisher/aws-wiring';
import { createControlPlaneApi, jwtAuthorizerActor } from './app';

const logger = new Logger();
// X-Ray subsegments for every AWS SDK call (active tracing alone records only the invocation).
const tracer = new Tracer();
const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
const store = new DynamoControlPlaneStore(dynamo, requiredEnv('CONTROL_PLANE_TABLE_NAME'));
const { publisher, dataPlaneIds } = awsSyncPublisher(dynamo, controlPlaneSigner());

const api = createControlPlaneApi({
  store,
  // Every data plane holds every organization's config for now (no org-to-plane placement yet).
  changes: createSyncChangePublisher({ publisher, dataPlanesFor: async () => dataPlaneIds }),
  actorFrom: jwtAuthorizerActor(store),
  onError: (error, context) => logger.error('control-plane failure', { ...context, error: error as Error }),
});

export const handler = middy(api).use(
  injectLambdaContext(logger, { correlationIdPath: 'requestContext.requestId' }),
);
