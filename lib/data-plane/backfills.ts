import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { backfillDefinition } from '../../lambdas/backfill-steps/definition';
import { environmentForBackfillSteps } from '../../lambdas/backfill-steps/environment';
import { environmentForBackfillsApi } from '../../lambdas/backfills-api/environment';
import { BACKFILLS_ROUTES } from '../../lambdas/backfills-api/routes';
import { BACKFILL_ITEMS_PREFIX } from '../../lambdas/domain/evaluators/backfill/steps';
import { HTTP_API_FUNCTION_TIMEOUT } from '../common/function-routes';
import type { LogLevel } from '../config/deployment-config';
import { type CallerAuthProps, callerAuthEnvironment } from './caller-auth';
import { grantItemLists, MapWorkflowService } from './map-workflow';
import { grantMetricRuns, type MetricRunAccess, metricRunEnvironment } from './metric-run-access';

export interface BackfillsProps extends CallerAuthProps {
  /** The data plane's HTTP API (IngestApi's): the backfills routes are added to it. */
  readonly httpApi: HttpApi;
  /** The synced metrics, events, the executor and the judges' providers; scores go on its events queue. */
  readonly metricRuns: MetricRunAccess;
  /** Where S3 server access logs of the item-list bucket go (the raw archive's access-log bucket). */
  readonly accessLogBucket: Bucket;
  readonly logLevel?: LogLevel;
}

/**
 * Backfills: the backfills API (lambdas/backfills-api/), the backfill workflow (a Standard state
 * machine whose definition is lambdas/backfill-steps/definition.ts: Distributed Map over an item
 * list in S3) and its steps function (lambdas/backfill-steps/), which runs metrics as the evaluation
 * worker does. The API starts, describes and redrives executions; the steps function reads events,
 * runs metrics and writes item lists; the state machine invokes the steps function, reads item
 * lists and runs its own Map Run child executions.
 */
export class Backfills extends MapWorkflowService {
  constructor(scope: Construct, id: string, props: BackfillsProps) {
    const { metricRuns } = props;
    super(scope, id, {
      ...props,
      keyDescription: 'Waggle backfills: encrypts the item lists of runs',
      accessLogPrefix: 'backfill-items/',
      itemsPrefix: BACKFILL_ITEMS_PREFIX,
      definition: backfillDefinition(),
      steps: (service) => ({
        entry: 'lambdas/backfill-steps/handler.ts',
        serviceName: 'waggle-backfill-steps',
        description: "Waggle backfill steps: list a run's events, score a batch, sum the results",
        memorySize: 1024,
        // A batch of 20 events, 4 at a time, each at most the worker's judge bound (136 s): well inside.
        timeout: Duration.minutes(15),
        logLevel: props.logLevel,
        environment: environmentForBackfillSteps({
          ...metricRunEnvironment(metricRuns),
          BACKFILL_ITEMS_BUCKET: service.itemsBucket.bucketName,
        }),
      }),
      grantSteps: (service) => {
        grantMetricRuns(service.stepsFunction, metricRuns);
        grantItemLists(service.stepsFunction.role, service, BACKFILL_ITEMS_PREFIX, {
          sid: 'WriteItemLists',
          objectActions: ['s3:PutObject'],
          keyActions: ['kms:GenerateDataKey'],
        });
      },
      api: (service) => ({
        entry: 'lambdas/backfills-api/handler.ts',
        serviceName: 'waggle-backfills-api',
        description: 'Waggle backfills API: estimate, start, describe and redrive backfill runs',
        memorySize: 512,
        timeout: HTTP_API_FUNCTION_TIMEOUT,
        logLevel: props.logLevel,
        environment: environmentForBackfillsApi({
          SYNC_STATE_TABLE_NAME: metricRuns.syncController.stateTable.tableName,
          EVENT_STORE_BUCKET: metricRuns.eventStore.bucket.bucketName,
          ATHENA_WORKGROUP: metricRuns.eventTables.workGroupName,
          GLUE_DATABASE: metricRuns.eventTables.databaseName,
          DEFAULT_READ_WINDOW_DAYS: metricRuns.defaultReadWindowDays,
          BACKFILL_STATE_MACHINE_ARN: service.stateMachine.stateMachineArn,
          ...callerAuthEnvironment(props),
        }),
      }),
      grantApi: (service) => {
        const apiRole = service.apiFunction.role;
        metricRuns.syncController.grantReadSyncedConfig(apiRole);
        metricRuns.eventStore.grantReadEvents(apiRole);
        metricRuns.eventTables.grantQuery(apiRole);
      },
      integrationId: 'BackfillsIntegration',
      routes: BACKFILLS_ROUTES,
    });
  }
}
