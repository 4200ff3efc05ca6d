/**
 * AWS Lambda entry point of the data plane's heartbeat sender: every minute (EventBridge rule,
 * input { kind: 'heartbeat' }), registering first until a registration gets through. Reads the
 * applied state (SYNC_STATE_TABLE_NAME), the queue depths (EVENTS_QUEUE_URL and the dead-letter
 * queues in DEAD_LETTER_QUEUE_URLS) and sends to HEARTBEAT_QUEUE_URL in the control plane's region
 * (HEARTBEAT_QUEUE_REGION).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import { DynamoAppliedStateStore } from '../adapters/aws/dynamo-config-store';
import { requiredEnv } from '../adapters/aws/required-env';
import { createHeartbeatSender, createScheduledReporter } from './app';

const logger = new Logger();
// X-Ray subsegments for every AWS SDK call (active tracing alone records only the invocation).
const tracer = new Tracer();
const metrics = new Metrics();

const localSqs = tracer.captureAWSv3Client(new SQSClient({}));
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
  tracer.captureAWSv3Client(new DynamoDBClient({})),
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

const run = createScheduledReporter(send);

export const handler = middy(async (event: unknown) => {
  const { registration, sent, error } = await run(event);
  if (!sent) {
    // Not a failure of the run: the control plane may not be deployed yet. The alarm watches this.
    metrics.addMetric('Unregistered', MetricUnit.Count, 1);
    logger.warn('unregistered: the control plane did not take the registration; the next run retries', {
      registration,
      error: error as Error,
    });
    return;
  }
  logger.info('sent', {
    registration,
    type: sent.type,
    appliedSeq: sent.appliedSeq,
    queueDepth: sent.queueDepth,
  });
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
