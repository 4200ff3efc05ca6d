/**
 * AWS Lambda entry point of the data plane's heartbeat sender: every minute (EventBridge rule,
 * input { kind: 'heartbeat', id }), registering first until a registration gets through. Reads the
 * applied state (SYNC_STATE_TABLE_NAME), the queue depths (EVENTS_QUEUE_URL and the dead-letter
 * queues in DEAD_LETTER_QUEUE_URLS) and sends to HEARTBEAT_QUEUE_URL in the control plane's region
 * (HEARTBEAT_QUEUE_REGION). Under the standard observability stack (scheduled events).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoAppliedStateStore } from '../adapters/aws/dynamo-config-store';
import { createObservability } from '../adapters/aws/observability';
import { createHeartbeatSender, createScheduledReporter } from './app';
import { readHeartbeatSenderEnvironment } from './environment';

const env = readHeartbeatSenderEnvironment();
const { logger, count, traced, wrap } = createObservability(env);

const localSqs = traced(new SQSClient({}));
const controlPlaneSqs = traced(new SQSClient({ region: env.HEARTBEAT_QUEUE_REGION }));

async function depth(queueUrl: string): Promise<number> {
  const response = await localSqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(response.Attributes?.ApproximateNumberOfMessages ?? 0);
}

const appliedState = new DynamoAppliedStateStore(traced(new DynamoDBClient({})), env.SYNC_STATE_TABLE_NAME);

const send = createHeartbeatSender({
  dataPlaneId: env.DATA_PLANE_ID,
  location: {
    account: env.DATA_PLANE_ACCOUNT,
    region: env.DATA_PLANE_REGION,
    endpoint: env.DATA_PLANE_ENDPOINT,
    hostingModel: env.HOSTING_MODEL,
  },
  appliedState,
  async health() {
    const [lagMs, queueDepth, ...deadLetters] = await Promise.all([
      // Recorded by the controller for the last message it verified.
      appliedState.lastLagMs(),
      depth(env.EVENTS_QUEUE_URL),
      ...env.DEAD_LETTER_QUEUE_URLS.map(depth),
    ]);
    return { queueDepth, errors: deadLetters.reduce((sum, n) => sum + n, 0), lagMs };
  },
  async send(body) {
    await controlPlaneSqs.send(
      new SendMessageCommand({ QueueUrl: env.HEARTBEAT_QUEUE_URL, MessageBody: body }),
    );
  },
});

const run = createScheduledReporter(send);

export const handler = wrap('schedule', async (event: unknown) => {
  let outcome: Awaited<ReturnType<typeof run>>;
  try {
    outcome = await run(event);
  } catch (error) {
    // A registered plane's heartbeat did not go out: the run fails (FailedRuns), the next one registers.
    count('HeartbeatFailures');
    throw error;
  }
  const { registration, sent, error } = outcome;
  if (!sent) {
    // Not a failure of the run: the control plane may not be deployed yet. The alarm watches this.
    count('Unregistered');
    logger.warn('unregistered: the control plane did not take the registration; the next run retries', {
      registration,
      error: error as Error,
    });
    return;
  }
  count(sent.type === 'registration' ? 'RegistrationsSent' : 'HeartbeatsSent');
  logger.info('sent', {
    registration,
    type: sent.type,
    appliedSeq: sent.appliedSeq,
    queueDepth: sent.queueDepth,
  });
});
