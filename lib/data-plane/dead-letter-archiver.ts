import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { environmentForDeadLetterArchiver } from '../../lambdas/dead-letter-archiver/environment';
import { WaggleFunction } from '../common/waggle-function';
import type { LogLevel } from '../config/deployment-config';
import type { EventStore } from './event-store';
import type { EventsQueue } from './events-queue';

const DEAD_LETTER_ARCHIVER_TIMEOUT = Duration.seconds(30);

/** The dead-letter queue's visibility timeout its consumer needs: six times the archiver's timeout. */
export function requiredDeadLetterVisibilityTimeout(): Duration {
  return Duration.seconds(6 * DEAD_LETTER_ARCHIVER_TIMEOUT.toSeconds());
}

interface DeadLetterArchiverProps {
  readonly eventsQueue: EventsQueue;
  readonly eventStore: EventStore;
  readonly logLevel?: LogLevel;
}

/**
 * Empties the events dead-letter queue into the event store's `dead-letters/` prefix, one object per
 * message, so that a poison message outlives the queue's 14-day retention and can be replayed after
 * a fix. A message whose write fails is reported back and stays on the queue (the alarms see it).
 */
export class DeadLetterArchiver extends Construct {
  readonly archiverFunction: WaggleFunction;
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: DeadLetterArchiverProps) {
    super(scope, id);
    const { eventsQueue, eventStore } = props;

    const visibility = (eventsQueue.deadLetterQueue.node.defaultChild as CfnQueue).visibilityTimeout;
    const required = requiredDeadLetterVisibilityTimeout().toSeconds();
    if (typeof visibility !== 'number' || visibility < required) {
      throw new Error(
        `The dead-letter queue's visibility timeout (${visibility} s) must be at least 6 x the archiver's timeout (${required} s)`,
      );
    }

    this.archiverFunction = new WaggleFunction(this, 'Archiver', {
      entry: 'lambdas/dead-letter-archiver/handler.ts',
      serviceName: 'waggle-dead-letter-archiver',
      description:
        'Waggle dead-letter archiver: events dead-letter queue -> dead-letters/ in the event store',
      memorySize: 512,
      timeout: DEAD_LETTER_ARCHIVER_TIMEOUT,
      logLevel: props.logLevel,
      environment: environmentForDeadLetterArchiver({ EVENT_STORE_BUCKET: eventStore.bucket.bucketName }),
    });
    eventStore.grantWriteDeadLetters(this.archiverFunction.role);

    this.eventSource = new SqsEventSource(eventsQueue.deadLetterQueue, {
      // Dead letters are rare; small batches keep one bad object write from holding back many messages.
      batchSize: 10,
      reportBatchItemFailures: true,
    });
    this.archiverFunction.function.addEventSource(this.eventSource);
  }
}
