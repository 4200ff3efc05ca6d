import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { EXPERIMENT_ITEMS_PREFIX } from '../../lambdas/domain/experiments/server/steps';
import { experimentDefinition } from '../../lambdas/experiment-steps/definition';
import { environmentForExperimentSteps } from '../../lambdas/experiment-steps/environment';
import { environmentForExperimentsApi } from '../../lambdas/experiments-api/environment';
import { EXPERIMENTS_ROUTES } from '../../lambdas/experiments-api/routes';
import { grantTableAndKey, type KeptTableWithKey } from '../common/customer-key';
import { HTTP_API_FUNCTION_TIMEOUT } from '../common/function-routes';
import type { LogLevel } from '../config/deployment-config';
import { type CallerAuthProps, callerAuthEnvironment } from './caller-auth';
import type { SyncController } from './data-plane-controller';
import { grantDatasetsTable } from './datasets';
import { grantItemLists, MapWorkflowService } from './map-workflow';
import type { MetricExecutionAccess } from './metric-run-access';
import { grantProviderCalls } from './provider-calls';

/** The steps function's memory (docs/BENCHMARKS.md prices its waiting with it). */
export const EXPERIMENT_STEPS_MEMORY_MB = 512;

/** Runs the run's metrics (MetricExecutionAccess) and calls providers for its configurations, as the proxy does. */
export interface ExperimentsProps extends CallerAuthProps, MetricExecutionAccess {
  /** The data plane's HTTP API (IngestApi's): the experiments routes are added to it. */
  readonly httpApi: HttpApi;
  /** The datasets table (DatasetsApi's): datasets, datapoints and runs. */
  readonly datasets: KeptTableWithKey;
  /** Its sync-state table holds the configurations and metrics a run names (read, never written). */
  readonly syncController: SyncController;
  /** Where S3 server access logs of the item-list bucket go (the raw archive's access-log bucket). */
  readonly accessLogBucket: Bucket;
  readonly logLevel?: LogLevel;
}

/**
 * Server-side experiments: the experiments API (lambdas/experiments-api/), the experiment workflow (a
 * Standard state machine whose definition is lambdas/experiment-steps/definition.ts: Distributed Map
 * over batches of datapoints listed in S3) and its steps function (lambdas/experiment-steps/), which
 * calls providers as the LLM proxy does, runs the run's metrics as the evaluation worker does, and
 * queues each datapoint's session, model event and scores on the events queue. The API records runs (datasets table), keeps an endpoint's headers beside the item
 * list, and starts, describes and redrives executions; the steps function reads runs and datapoints,
 * writes item lists and batch records and a run's end; the state machine invokes the steps function,
 * reads item lists and runs its own Map Run child executions.
 */
export class Experiments extends MapWorkflowService {
  constructor(scope: Construct, id: string, props: ExperimentsProps) {
    super(scope, id, {
      ...props,
      keyDescription: 'Waggle experiments: encrypts item lists, endpoint headers and batch records of runs',
      accessLogPrefix: 'experiment-items/',
      itemsPrefix: EXPERIMENT_ITEMS_PREFIX,
      definition: experimentDefinition(),
      steps: (service) => ({
        entry: 'lambdas/experiment-steps/handler.ts',
        serviceName: 'waggle-experiment-steps',
        description: "Waggle experiment steps: list a run's batches, run a batch of datapoints, end the run",
        // It waits on providers, the executor and the queue, and holds one batch: 512 MB, half the wait's price of 1 GB.
        memorySize: EXPERIMENT_STEPS_MEMORY_MB,
        // A batch of 10 datapoints, 5 at a time, each at most the provider timeout (60 s) plus the proxy's retries.
        timeout: Duration.minutes(15),
        logLevel: props.logLevel,
        environment: environmentForExperimentSteps({
          DATASETS_TABLE_NAME: props.datasets.table.tableName,
          EXPERIMENT_ITEMS_BUCKET: service.itemsBucket.bucketName,
          SYNC_STATE_TABLE_NAME: props.syncController.stateTable.tableName,
          PROVIDER_KEYS_TABLE_NAME: props.providerKeys.table.tableName,
          PROVIDER_SECRETS_KEY_ARN: props.providerKeys.secretsKey.keyArn,
          PROXY_LIMITS_TABLE_NAME: props.proxyLimits.limitsTable.tableName,
          JUDGE_DAILY_BUDGET_USD:
            props.judgeDailyBudgetUsd === undefined ? undefined : String(props.judgeDailyBudgetUsd),
          JUDGE_FALLBACKS:
            props.judgeFallbacks === undefined ? undefined : JSON.stringify(props.judgeFallbacks),
          EVALUATOR_EXECUTOR_FUNCTION_NAME: props.executor.function.functionName,
          EVENTS_QUEUE_URL: props.eventsQueue.queue.queueUrl,
          OVERFLOW_BUCKET: props.rawArchive.bucket.bucketName,
        }),
      }),
      grantSteps: (service) => {
        const stepsRole = service.stepsFunction.role;
        grantProviderCalls(stepsRole, props);
        props.executor.grantInvoke(stepsRole);
        props.syncController.grantReadSyncedConfig(stepsRole);
        grantDatasetsTable(service, stepsRole, props.datasets, 'ReadDatapointsWriteRuns', [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:PutItem',
        ]);
        grantItemLists(stepsRole, service, EXPERIMENT_ITEMS_PREFIX, {
          sid: 'ReadWriteItemLists',
          objectActions: ['s3:GetObject', 's3:PutObject'],
          keyActions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        });
      },
      api: (service) => ({
        entry: 'lambdas/experiments-api/handler.ts',
        serviceName: 'waggle-experiments-api',
        description: 'Waggle experiments API: start, describe and redrive server-side experiments',
        memorySize: 512,
        timeout: HTTP_API_FUNCTION_TIMEOUT,
        logLevel: props.logLevel,
        environment: environmentForExperimentsApi({
          DATASETS_TABLE_NAME: props.datasets.table.tableName,
          SYNC_STATE_TABLE_NAME: props.syncController.stateTable.tableName,
          PROXY_LIMITS_TABLE_NAME: props.proxyLimits.limitsTable.tableName,
          EXPERIMENT_ITEMS_BUCKET: service.itemsBucket.bucketName,
          EXPERIMENT_STATE_MACHINE_ARN: service.stateMachine.stateMachineArn,
          ...callerAuthEnvironment(props),
        }),
      }),
      grantApi: (service) => {
        const apiRole = service.apiFunction.role;
        props.syncController.grantReadSyncedConfig(apiRole);
        // Datasets' members and versions, runs recorded and settled: what the run service does.
        grantDatasetsTable(service, apiRole, props.datasets, 'RecordRuns', [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:Query',
          'dynamodb:BatchGetItem',
          'dynamodb:BatchWriteItem',
        ]);
        grantTableAndKey(service, apiRole, {
          sid: 'ReadProxyLimits',
          actions: ['dynamodb:GetItem'],
          resources: [props.proxyLimits.limitsTable.tableArn],
          keySid: 'ProxyLimitsEncryption',
          keyActions: ['kms:Decrypt'],
          keyArn: props.proxyLimits.key.keyArn,
        });
        grantItemLists(apiRole, service, EXPERIMENT_ITEMS_PREFIX, {
          sid: 'WriteEndpointHeaders',
          objectActions: ['s3:PutObject'],
          keyActions: ['kms:GenerateDataKey'],
        });
      },
      integrationId: 'ExperimentsIntegration',
      routes: EXPERIMENTS_ROUTES,
    });
  }
}
