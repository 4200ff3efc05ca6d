import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { environmentForEvaluationWorker } from '../../lambdas/evaluation-worker/environment';
import { WaggleFunction } from '../common/waggle-function';
import type { LogLevel } from '../config/deployment-config';
import type { SyncController } from './data-plane-controller';
import { EVALUATION_WORKER_TIMEOUT, type EvaluationsQueue } from './evaluations-queue';
import type { EvaluatorExecutor } from './evaluator-executor';
import type { EventStore } from './event-store';
import type { EventTables } from './event-tables';
import { grantJudge, type JudgeAccess, judgeEnvironment } from './judge-access';
import type { PendingUpdates } from './pending-updates';

export interface EvaluationWorkerProps {
  readonly evaluationsQueue: EvaluationsQueue;
  /** Its sync-state table holds the synced metrics and configurations. */
  readonly syncController: SyncController;
  readonly eventStore: EventStore;
  readonly eventTables: EventTables;
  readonly pendingUpdates: PendingUpdates;
  /** Runs the Python metrics. */
  readonly executor: EvaluatorExecutor;
  /** LLM judges: the proxy's provider keys and limits; their model events and the scores go on the events queue. */
  readonly judge: JudgeAccess;
  /** Evaluation invocations at once (2-1,000; default 5): caps the executor's and providers' load. */
  readonly maxConcurrency?: number;
  readonly logLevel?: LogLevel;
  /** Days a read without a date covers (1-366); absent: 30. */
  readonly defaultReadWindowDays?: number;
}

/**
 * Online evaluation's worker (lambdas/evaluation-worker/): the evaluations queue's consumer. It reads
 * each task's event, runs its evaluator (Python in the evaluator executor, an LLM judge through the
 * providers, a composite) and puts the scores back on the events queue as metrics updates of their
 * events. Outside any VPC: judges call providers on the internet, as the LLM proxy does; Python
 * never runs here, only in the executor, which has no network.
 */
export class EvaluationWorker extends Construct {
  readonly workerFunction: WaggleFunction;
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: EvaluationWorkerProps) {
    super(scope, id);
    this.workerFunction = new WaggleFunction(this, 'Worker', {
      entry: 'lambdas/evaluation-worker/handler.ts',
      serviceName: 'waggle-evaluation-worker',
      description: 'Waggle evaluation worker: evaluations queue -> scores as metrics updates of events',
      memorySize: 1024,
      timeout: EVALUATION_WORKER_TIMEOUT,
      logLevel: props.logLevel,
      environment: environmentForEvaluationWorker({
        SYNC_STATE_TABLE_NAME: props.syncController.stateTable.tableName,
        EVENT_STORE_BUCKET: props.eventStore.bucket.bucketName,
        ATHENA_WORKGROUP: props.eventTables.workGroupName,
        GLUE_DATABASE: props.eventTables.databaseName,
        PENDING_UPDATES_TABLE_NAME: props.pendingUpdates.table.tableName,
        DEFAULT_READ_WINDOW_DAYS: props.defaultReadWindowDays,
        EVALUATOR_EXECUTOR_FUNCTION_NAME: props.executor.function.functionName,
        EVENTS_QUEUE_URL: props.judge.eventsQueue.queue.queueUrl,
        OVERFLOW_BUCKET: props.judge.rawArchive.bucket.bucketName,
        ...judgeEnvironment(props.judge),
      }),
    });
    const role = this.workerFunction.role;
    props.syncController.grantReadSyncedConfig(role);
    props.eventStore.grantReadEvents(role);
    props.eventTables.grantQuery(role);
    props.pendingUpdates.attachReader(this.workerFunction);
    props.executor.grantInvoke(role);
    // Scores go on the events queue as the judges' model events do.
    grantJudge(this.workerFunction, props.judge);

    // Grants the consumer calls (receive, delete, change visibility) on the queue.
    this.eventSource = new SqsEventSource(props.evaluationsQueue.queue, {
      batchSize: 10,
      maxConcurrency: props.maxConcurrency ?? 5,
      reportBatchItemFailures: true,
    });
    this.workerFunction.function.addEventSource(this.eventSource);
  }
}
