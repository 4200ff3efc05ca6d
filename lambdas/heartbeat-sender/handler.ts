/**
 * AWS Lambda entry point of the data plane's heartbeat sender: every minute (EventBridge rule,
 * input { kind: 'heartbeat' }) and once per deploy (the CDK trigger: a registration). Reads the
 * applied state (SYNC_STATE_TABLE_NAME), the queue depths (EVENTS_QUEUE_URL and the dead-letter
 * queues in DEAD_LETTER_QUEUE_URLS) and sends to HEARTBEAT_QUEUE_URL in the control plane's region
 * (HEARTBEAT_QUEUE_REGION).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import { DynamoAppliedStateStore } from '../adapters/aws/dynamo-config-store';
import { requiredEnv } from '../adapters/aws/required-env';
import { createHeartbeatSender, reportKindOf } from './app';

const logger = new Logger();

const localSqs = new SQSClient({});
const controlPlaneSqs = new SQSClient({ region: requiredEnv('HEARTBEAT_QUEUE_REGION') });
const heartbeatQueueUrl = requiredEnv('HEARTBEAT_QUEUE_URL');
const eventsQueueUrl = requiredEnv('EVENTS_QUEUE_URL');
const deadLetterQueueUrls = JSON.parse(requiredEnv('DEAD_LETTER_QUEUE_URLS')) as string[];

async function depth(queueUrl: string): Promise<number> {
  const response = await localSqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(response.Attributes?.ApproximateNumberOfMessages ?? 0);
}

const appliedState = new DynamoAppliedStateStore(
  new DynamoDBClient({}),
  requiredEnv('SYNC_STATE_TABLE_NAME'),
);

const send = createHeartbeatSender({
  dataPlaneId: requiredEnv('DATA_PLANE_ID'),
  location: {
    account: requiredEnv('DATA_PLANE_ACCOUNT'),
    region: requiredEnv('DATA_PLANE_REGION'),
    endpoint: requiredEnv('DATA_PLANE_ENDPOINT'),
    hostingModel: requiredEnv('HOSTING_MODEL'),
  },
  appliedState,
  async health() {
    const [lagMs, queueDepth, ...deadLetters] = await Promise.all([
      // Recorded by the controller for the last message it verified.
      appliedState.lastLagMs(),
      depth(eventsQueueUrl),
      ...deadLetterQueueUrls.map(depth),
    ]);
    return { queueDepth, errors: deadLetters.reduce((sum, n) => sum + n, 0), lagMs };
  },
  async send(body) {
    await controlPlaneSqs.send(new SendMessageCommand({ QueueUrl: heartbeatQueueUrl, MessageBody: body }));
  },
});

export const handler = middy(async (event: unknown) => {
  const report = await send(reportKindOf(event));
  logger.info('sent', { type: report.type, appliedSeq: report.appliedSeq, queueDepth: report.queueDepth });
}).use(injectLambdaContext(logger));
