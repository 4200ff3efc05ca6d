/**
 * AWS Lambda entry point of the scheduled sync reconciliation (EventBridge rule): scans the
 * control-plane table for projects and API keys and reconciles every data plane in INBOXES. Fails
 * the invocation if any data plane could not be reconciled, so the failure shows in metrics and the
 * rule's retry policy runs it again.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { DynamoControlPlaneStore } from '../adapters/aws/control-plane-store';
import { DynamoHeartbeatStore } from '../adapters/aws/dynamo-heartbeat-store';
import { requiredEnv } from '../adapters/aws/required-env';
import { reportedStateOf } from '../domain/sync/heartbeat-store';
import { createReconciler } from './app';
import { awsSyncPublisher, controlPlaneSigner } from './aws-wiring';

const logger = new Logger();
// X-Ray subsegments for every AWS SDK call (active tracing alone records only the invocation).
const tracer = new Tracer();
const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
const tableName = requiredEnv('CONTROL_PLANE_TABLE_NAME');
const { publisher, dataPlaneIds } = awsSyncPublisher(dynamo, controlPlaneSigner());
const heartbeats = new DynamoHeartbeatStore(dynamo, tableName);

const store = new DynamoControlPlaneStore(dynamo, tableName);

const reconcile = createReconciler({
  publisher,
  dataPlaneIds,
  desired: () => store.projectsAndApiKeys(),
  // The digest of the data plane's newest heartbeat; none yet (never reported) republishes everything.
  reported: async (dataPlaneId) => reportedStateOf(await heartbeats.latest(dataPlaneId)),
});

async function run(): Promise<void> {
  const summaries = await reconcile();
  const failed = summaries.filter((summary) => summary.error !== undefined);
  for (const summary of summaries) {
    if (summary.error)
      logger.error('reconciliation failed', {
        dataPlaneId: summary.dataPlaneId,
        error: summary.error as Error,
      });
    else logger.info('reconciled', { ...summary });
  }
  if (failed.length > 0)
    throw new Error(`reconciliation failed for ${failed.map((s) => s.dataPlaneId).join(', ')}`);
}

export const handler = middy(run).use(injectLambdaContext(logger));
