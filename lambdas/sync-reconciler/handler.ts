/**
 * AWS Lambda entry point of the scheduled sync reconciliation (EventBridge rule): scans the
 * control-plane table for projects and API keys and reconciles every data plane in INBOXES. Fails
 * the invocation if any data plane could not be reconciled, so the failure shows in metrics and the
 * rule's retry policy runs it again. Under the standard observability stack (scheduled events).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoControlPlaneStore } from '../adapters/aws/control-plane-store';
import { DynamoHeartbeatStore } from '../adapters/aws/dynamo-heartbeat-store';
import { createObservability } from '../adapters/aws/observability';
import { awsSyncPublisher, controlPlaneSigner } from '../adapters/aws/sync-publisher-wiring';
import { reportedStateOf } from '../domain/sync/heartbeat-store';
import { createReconciler } from './app';
import { readSyncReconcilerEnvironment } from './environment';

const env = readSyncReconcilerEnvironment();
const { logger, count, traced, wrap } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));
const tableName = env.CONTROL_PLANE_TABLE_NAME;
const { publisher, dataPlaneIds } = awsSyncPublisher(dynamo, controlPlaneSigner(env, traced), env, traced);
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
  count('DataPlanesReconciled', summaries.length - failed.length);
  count('ReconciliationFailures', failed.length);
  // What the data planes lacked: zero once every plane has converged.
  count(
    'ChangesRepublished',
    summaries.reduce((sum, summary) => sum + summary.republished, 0),
  );
  if (failed.length > 0)
    throw new Error(`reconciliation failed for ${failed.map((s) => s.dataPlaneId).join(', ')}`);
}

export const handler = wrap('schedule', run);
