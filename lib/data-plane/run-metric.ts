import { Duration } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import type { TokenTrustInput } from '../../lambdas/config/caller-auth';
import { splitRouteKey } from '../../lambdas/ingest/routes';
import { environmentForRunMetric } from '../../lambdas/run-metric/environment';
import { RUN_METRIC_ROUTES } from '../../lambdas/run-metric/routes';
import { WaggleFunction } from '../common/waggle-function';
import type { LogLevel } from '../config/deployment-config';
import type { AuthRateLimit } from './auth-rate-limit';
import type { SyncController } from './data-plane-controller';
import type { EvaluatorExecutor } from './evaluator-executor';
import type { EventStore } from './event-store';
import type { EventTables } from './event-tables';
import { grantJudge, type JudgeAccess, judgeEnvironment } from './judge-access';
import type { KeyRegistry } from './key-registry';
import type { PendingUpdates } from './pending-updates';

export interface RunMetricApiProps {
  /** The data plane's HTTP API (IngestApi's). */
  readonly httpApi: HttpApi;
  readonly keyRegistry: KeyRegistry;
  /** Its sync-state table holds the synced metrics. */
  readonly syncController: SyncController;
  /** The read path of an event by id. */
  readonly eventStore: EventStore;
  readonly eventTables: EventTables;
  readonly pendingUpdates: PendingUpdates;
  /** Runs the Python metrics. */
  readonly executor: EvaluatorExecutor;
  /** LLM judges (model metrics): the proxy's provider keys and limits, the judge's model event on the events queue. */
  readonly judge: JudgeAccess;
  readonly logLevel?: LogLevel;
  readonly tokenTrust?: TokenTrustInput;
  readonly authRateLimit?: AuthRateLimit;
  /** Days a read without a date covers (1-366); absent: 30. */
  readonly defaultReadWindowDays?: number;
}

/**
 * HoneyHive's `POST /metrics/run_metric` (lambdas/run-metric/): one metric run once on one event.
 * A function of its own rather than a route of the configurations or query function, so that the
 * one HTTP-facing function that may start the Python sandbox is this one, and the configurations
 * function keeps no access to events.
 */
export class RunMetricApi extends Construct {
  readonly runMetricFunction: WaggleFunction;

  constructor(scope: Construct, id: string, props: RunMetricApiProps) {
    super(scope, id);
    this.runMetricFunction = new WaggleFunction(this, 'RunMetric', {
      entry: 'lambdas/run-metric/handler.ts',
      serviceName: 'waggle-run-metric',
      description: 'Waggle run_metric: one metric run on one event (Python in the evaluator executor)',
      memorySize: 1024,
      // The HTTP API gives up on an integration after 30 s; the executor answers within 15 s.
      timeout: Duration.seconds(29),
      logLevel: props.logLevel,
      environment: environmentForRunMetric({
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
        KEY_TABLE_NAME: props.keyRegistry.table.tableName,
        ...props.tokenTrust,
        ...props.authRateLimit?.environment(),
      }),
    });
    const role = this.runMetricFunction.role;
    props.keyRegistry.grantLookUpKeys(role);
    props.authRateLimit?.grantCount(role);
    props.syncController.grantReadSyncedConfig(role);
    props.eventStore.grantReadEvents(role);
    props.eventTables.grantQuery(role);
    props.executor.grantInvoke(role);
    grantJudge(this.runMetricFunction, props.judge);
    props.pendingUpdates.attachReader(this.runMetricFunction);

    const integration = new HttpLambdaIntegration('RunMetricIntegration', this.runMetricFunction.function, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    for (const routeKey of RUN_METRIC_ROUTES) {
      const { method, path } = splitRouteKey(routeKey);
      props.httpApi.addRoutes({
        path,
        methods: [HttpMethod[method as keyof typeof HttpMethod]],
        integration,
      });
    }
  }
}
