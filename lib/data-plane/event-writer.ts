import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { environmentForWriter } from '../../lambdas/writer/environment';
import { WaggleFunction } from '../common/waggle-function';
import type { LogLevel } from '../config/deployment-config';
import type { SyncController } from './data-plane-controller';
import type { EvaluationsQueue } from './evaluations-queue';
import type { EventStore } from './event-store';
import type { EventTables } from './event-tables';
import type { EventsQueue } from './events-queue';
import type { PendingUpdates } from './pending-updates';
import type { RawArchive } from './raw-archive';

/** How the writer takes messages off the events queue; every field has a default. */
export interface EventWriterSettings {
  /**
   * Most messages per invocation (1-10,000). An upper bound: Lambda also stops filling a batch at
   * its 6 MB invocation payload, and one message carries a compressed group of events.
   */
  readonly batchSize?: number;
  /** Longest wait to fill a batch (0-300 s): a floor on freshness, a ceiling on file count. */
  readonly maxBatchingWindow?: Duration;
  /** Most concurrent writer invocations the event source starts (2-1,000). */
  readonly maxConcurrency?: number;
  readonly timeout?: Duration;
  readonly memorySize?: number;
}

export const EVENT_WRITER_DEFAULTS = {
  batchSize: 1000,
  maxBatchingWindow: Duration.seconds(30),
  maxConcurrency: 10,
  timeout: Duration.minutes(2),
  memorySize: 2048,
} as const satisfies Required<EventWriterSettings>;

interface EventWriterProps extends EventWriterSettings {
  readonly eventsQueue: EventsQueue;
  readonly eventStore: EventStore;
  readonly eventTables: EventTables;
  /** Events too big for a queue message wait under its overflow/ prefix; raw requests go to raw/batches/. */
  readonly rawArchive: RawArchive;
  /** Updates that arrive before their event wait there; the writer folds them into it. */
  readonly pendingUpdates: PendingUpdates;
  /** Online evaluation: the writer queues the tasks of the metrics enabled in production (synced). */
  readonly evaluationsQueue: EvaluationsQueue;
  readonly syncController: SyncController;
  readonly logLevel?: LogLevel;
}

/**
 * The visibility timeout the events queue needs for a writer with these settings: six times the
 * function timeout plus the batching window (AWS's advice for Lambda event sources), so a message is
 * never redelivered while a writer still holds it, including the retries of a throttled invocation.
 */
export function requiredVisibilityTimeout(settings: EventWriterSettings = {}): Duration {
  const timeout = settings.timeout ?? EVENT_WRITER_DEFAULTS.timeout;
  const window = settings.maxBatchingWindow ?? EVENT_WRITER_DEFAULTS.maxBatchingWindow;
  return Duration.seconds(6 * timeout.toSeconds() + window.toSeconds());
}

/**
 * The writer: the events queue's consumer. It enriches the events of a batch, writes one Parquet
 * file per partition into the event store, resolves updates of already stored events through Athena,
 * and reports only the failed messages back (ReportBatchItemFailures), which SQS redelivers and,
 * after the queue's receive limit, moves to the dead-letter queue.
 */
export class EventWriter extends Construct {
  readonly writerFunction: WaggleFunction;
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: EventWriterProps) {
    super(scope, id);
    const settings = { ...EVENT_WRITER_DEFAULTS, ...definedOnly(props) };
    const { eventsQueue, eventStore, eventTables, rawArchive, pendingUpdates } = props;

    const visibility = (eventsQueue.queue.node.defaultChild as CfnQueue).visibilityTimeout;
    const required = requiredVisibilityTimeout(settings).toSeconds();
    if (typeof visibility !== 'number' || visibility < required) {
      throw new Error(
        `The events queue's visibility timeout (${visibility} s) must be at least 6 x the writer's timeout + its batching window (${required} s)`,
      );
    }

    this.writerFunction = new WaggleFunction(this, 'Writer', {
      entry: 'lambdas/writer/handler.ts',
      serviceName: 'waggle-writer',
      description: 'Waggle writer: events queue -> Parquet files in the event store',
      memorySize: settings.memorySize,
      timeout: settings.timeout,
      logLevel: props.logLevel,
      environment: environmentForWriter({
        EVENT_STORE_BUCKET: eventStore.bucket.bucketName,
        OVERFLOW_BUCKET: rawArchive.bucket.bucketName,
        ATHENA_WORKGROUP: eventTables.workGroupName,
        GLUE_DATABASE: eventTables.databaseName,
        PENDING_UPDATES_TABLE_NAME: pendingUpdates.table.tableName,
        EVALUATIONS_QUEUE_URL: props.evaluationsQueue.queue.queueUrl,
        SYNC_STATE_TABLE_NAME: props.syncController.stateTable.tableName,
      }),
    });
    const role = this.writerFunction.role;
    eventStore.grantWriteEvents(role);
    // Poison messages are archived by the writer itself, with their reason, instead of being retried.
    eventStore.grantWriteDeadLetters(role);
    eventTables.grantQuery(role);
    rawArchive.grantReadOverflowObjects(role);
    // The raw requests of each batch are archived by the writer, one object per batch.
    rawArchive.grantWriteRawBatches(role);
    props.evaluationsQueue.grantSendTasks(role);
    props.syncController.grantReadSyncedConfig(role);

    // Grants the consumer calls (receive, delete, change visibility) and kms:Decrypt on the queue key.
    this.eventSource = new SqsEventSource(eventsQueue.queue, {
      batchSize: settings.batchSize,
      maxBatchingWindow: settings.maxBatchingWindow,
      maxConcurrency: settings.maxConcurrency,
      reportBatchItemFailures: true,
    });
    this.writerFunction.function.addEventSource(this.eventSource);
    pendingUpdates.attachWriter(this.writerFunction);
  }
}

function definedOnly(settings: EventWriterSettings): EventWriterSettings {
  return Object.fromEntries(
    Object.entries({
      batchSize: settings.batchSize,
      maxBatchingWindow: settings.maxBatchingWindow,
      maxConcurrency: settings.maxConcurrency,
      timeout: settings.timeout,
      memorySize: settings.memorySize,
    }).filter(([, value]) => value !== undefined),
  );
}
