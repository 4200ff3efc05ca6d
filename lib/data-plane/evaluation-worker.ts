import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { EVALUATION_WORKER_CONCURRENCY } from '../../lambdas/domain/evaluators/online/worker';
import { environmentForEvaluationWorker } from '../../lambdas/evaluation-worker/environment';
import { WaggleFunction } from '../common/waggle-function';
import type { LogLevel } from '../config/deployment-config';
import { EVALUATION_WORKER_TIMEOUT, type EvaluationsQueue } from './evaluations-queue';
import { grantMetricRuns, type MetricRunAccess, metricRunEnvironment } from './metric-run-access';

export interface EvaluationWorkerProps {
  readonly evaluationsQueue: EvaluationsQueue;
  /** The synced metrics, events, the executor and the judges' providers; scores go on its events queue. */
  readonly metricRuns: MetricRunAccess;
  /** Evaluation invocations at once (2-1,000; default 5): caps the executor's and providers' load. */
  readonly maxConcurrency?: number;
  readonly logLevel?: LogLevel;
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
      environment: environmentForEvaluationWorker(metricRunEnvironment(props.metricRuns)),
    });
    grantMetricRuns(this.workerFunction, props.metricRuns);

    // Grants the consumer calls (receive, delete, change visibility) on the queue.
    this.eventSource = new SqsEventSource(props.evaluationsQueue.queue, {
      // One round of concurrent evaluations per invocation, so the judges' bounds fit its timeout.
      batchSize: EVALUATION_WORKER_CONCURRENCY,
      maxConcurrency: props.maxConcurrency ?? 5,
      reportBatchItemFailures: true,
    });
    this.workerFunction.function.addEventSource(this.eventSource);
  }
}
