/**
 * AWS Lambda entry point of the scheduled sync reconciliation (EventBridge rule): scans the
 * control-plane table for projects and API keys and reconciles every data plane in INBOXES. Fails
 * the invocation if any data plane could not be reconciled, so the failure shows in metrics and the
 * rule's retry policy runs it again.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import { recordFromItem } from '../adapters/aws/control-plane-store';
import { DynamoHeartbeatStore } from '../adapters/aws/dynamo-heartbeat-store';
import type { ApiKey, Project } from '../domain/control-plane/model';
import { reportedStateOf } from '../domain/sync/heartbeat-store';
import { createReconciler, type DesiredRecords } from './app';
import { awsSyncPublisher, controlPlaneSigner, requiredEnv } from './aws-wiring';

const logger = new Logger();
const dynamo = new DynamoDBClient({});
const tableName = requiredEnv('CONTROL_PLANE_TABLE_NAME');
const documents = DynamoDBDocumentClient.from(dynamo);
const { publisher, dataPlaneIds } = awsSyncPublisher(dynamo, controlPlaneSigner());
const heartbeats = new DynamoHeartbeatStore(dynamo, tableName);

async function desired(): Promise<DesiredRecords> {
  const projects: Project[] = [];
  const apiKeys: ApiKey[] = [];
  const pages = paginateScan(
    { client: documents },
    {
      TableName: tableName,
      FilterExpression: 'begins_with(sk, :project) OR begins_with(sk, :key)',
      ExpressionAttributeValues: { ':project': 'project#', ':key': 'api-key#' },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const orgId = String(item.pk).replace(/^ORG#/, '');
      if (String(item.sk).startsWith('project#')) projects.push(recordFromItem(item, 'project', orgId));
      else apiKeys.push(recordFromItem(item, 'api-key', orgId));
    }
  }
  return { projects, apiKeys };
}

const reconcile = createReconciler({
  publisher,
  dataPlaneIds,
  desired,
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
