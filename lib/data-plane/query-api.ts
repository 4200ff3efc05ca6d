import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { environmentForQueryApi } from '../../lambdas/query-api/environment';
import { QUERY_ROUTES } from '../../lambdas/query-api/routes';
import { grantTableAndKey, type KeptTableWithKey } from '../common/customer-key';
import { addFunctionRoutes, HTTP_API_FUNCTION_TIMEOUT } from '../common/function-routes';
import { WaggleFunction } from '../common/waggle-function';
import type { LogLevel } from '../config/deployment-config';
import { type CallerAuthProps, callerAuthEnvironment } from './caller-auth';
import type { EventStore } from './event-store';
import type { EventTables } from './event-tables';
import type { EventsQueue } from './events-queue';
import type { PendingUpdates } from './pending-updates';
import type { RawArchive } from './raw-archive';

export interface QueryApiProps extends CallerAuthProps {
  /** The data plane's HTTP API (IngestApi's): one endpoint for SDKs, writes and reads. */
  readonly httpApi: HttpApi;
  readonly eventStore: EventStore;
  readonly eventTables: EventTables;
  /** DELETE routes enqueue tombstones here; the writer stores them like events. */
  readonly eventsQueue: EventsQueue;
  /** Its overflow/ prefix takes a queued record too big for a message (the publisher's contract). */
  readonly rawArchive: RawArchive;
  /** Updates still waiting for their event: reads merge them. */
  readonly pendingUpdates: PendingUpdates;
  /** The datasets table (DatasetsApi's): experiment runs, read for their results and comparisons. */
  readonly runsTable: KeptTableWithKey;
  readonly logLevel?: LogLevel;
  /** Days a read without a dateRange covers (1-366); absent: DEFAULT_READ_WINDOW_DAYS (30). */
  readonly defaultReadWindowDays?: number;
}

/**
 * The HoneyHive-compatible read API: the query function and its routes (lambdas/query-api/routes.ts)
 * on the data plane's HTTP API. The function authenticates each request against the key registry and
 * scopes every query to the key's project; reads go through Athena, deletes become tombstones.
 */
export class QueryApi extends Construct {
  readonly queryFunction: WaggleFunction;

  constructor(scope: Construct, id: string, props: QueryApiProps) {
    super(scope, id);
    const { eventStore, eventTables, eventsQueue, rawArchive, pendingUpdates } = props;

    this.queryFunction = new WaggleFunction(this, 'Query', {
      entry: 'lambdas/query-api/handler.ts',
      serviceName: 'waggle-query',
      description: 'Waggle query API: HoneyHive-compatible reads of the event store through Athena',
      memorySize: 1024,
      // Reads answer (or fail cleanly) before the gateway gives up (lambdas/domain/read-api/read-deadline.ts).
      timeout: HTTP_API_FUNCTION_TIMEOUT,
      logLevel: props.logLevel,
      environment: environmentForQueryApi({
        EVENT_STORE_BUCKET: eventStore.bucket.bucketName,
        ATHENA_WORKGROUP: eventTables.workGroupName,
        GLUE_DATABASE: eventTables.databaseName,
        ...callerAuthEnvironment(props),
        EVENTS_QUEUE_URL: eventsQueue.queue.queueUrl,
        RAW_ARCHIVE_BUCKET: rawArchive.bucket.bucketName,
        PENDING_UPDATES_TABLE_NAME: pendingUpdates.table.tableName,
        DATASETS_TABLE_NAME: props.runsTable.table.tableName,
        DEFAULT_READ_WINDOW_DAYS: props.defaultReadWindowDays,
      }),
    });
    const role = this.queryFunction.role;
    eventStore.grantReadEvents(role);
    eventTables.grantQuery(role);
    props.keyRegistry.grantLookUpKeys(role);
    eventsQueue.grantSendEvents(role);
    rawArchive.grantWriteOverflowObjects(role);
    props.authRateLimit?.grantCount(role);
    // A run is one item, read by its key: nothing else of the datasets table.
    grantTableAndKey(this, role, {
      sid: 'ReadRuns',
      actions: ['dynamodb:GetItem'],
      resources: [props.runsTable.table.tableArn],
      keySid: 'RunsTableDecryption',
      keyActions: ['kms:Decrypt'],
      keyArn: props.runsTable.key.keyArn,
    });

    addFunctionRoutes(props.httpApi, 'QueryIntegration', this.queryFunction.function, QUERY_ROUTES);
    pendingUpdates.attachReader(this.queryFunction);
  }
}
