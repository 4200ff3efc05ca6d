import { CfnOutput, Duration, Fn, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AlarmTopic } from '../common/alarm-topic';
import { HttpApiAlarms } from '../common/http-api-alarms';
import { setSourceMaps } from '../common/waggle-function';
import { consoleOrigins } from '../config/console-origins';
import type { ControlPlaneConfig, DataPlaneConfig } from '../config/deployment-config';
import { controlPlaneTokenTrust } from '../config/sync-names';
import { AuthRateLimit } from './auth-rate-limit';
import { Backfills } from './backfills';
import type { CallerAuthProps } from './caller-auth';
import { EventCompaction } from './compaction';
import { ConfigurationsApi } from './configurations';
import { SyncController } from './data-plane-controller';
import { DataPlaneDashboard } from './data-plane-dashboard';
import { DatasetsApi } from './datasets';
import { DeadLetterArchiver, requiredDeadLetterVisibilityTimeout } from './dead-letter-archiver';
import { EvaluationWorker } from './evaluation-worker';
import { EvaluationsQueue } from './evaluations-queue';
import { EvaluatorExecutor } from './evaluator-executor';
import { EventStore } from './event-store';
import { EventTables } from './event-tables';
import { EventWriter, type EventWriterSettings, requiredVisibilityTimeout } from './event-writer';
import { EventsQueue } from './events-queue';
import { Experiments } from './experiments';
import { GrpcCollector } from './grpc-collector';
import { HeartbeatSender } from './heartbeat-sender';
import { IngestApi } from './ingest-api';
import { KeyRegistry } from './key-registry';
import { LlmProxy } from './llm-proxy';
import type { MetricExecutionAccess, MetricRunAccess } from './metric-run-access';
import { MonitorEvaluator } from './monitor-evaluator';
import { PendingUpdates } from './pending-updates';
import { ProviderKeysApi, ProviderKeyTable } from './provider-keys';
import { ProxyLimits } from './proxy-limits';
import { QueryApi } from './query-api';
import { RawArchive } from './raw-archive';
import { RunMetricApi } from './run-metric';

export interface DataPlaneStackProps extends StackProps {
  readonly dataPlane: DataPlaneConfig;
  /** The control plane: its account (trusted by the inbox) and URL (its JWKS), from the config. */
  readonly controlPlane: ControlPlaneConfig;
}

/** Glue database of a data plane: Glue names allow lower-case letters, digits and underscores. */
function glueDatabaseName(dataPlaneName: string): string {
  return `waggle_${dataPlaneName.replaceAll('-', '_')}`;
}

function athenaWorkGroupName(dataPlaneName: string): string {
  return `waggle-${dataPlaneName}`;
}

/**
 * One data plane (one region, or one dedicated customer): ingestion, the event store with its tables,
 * the writer, dead-letter archiver and compaction behind the events queue, and the read API.
 */
export class DataPlaneStack extends Stack {
  readonly rawArchive: RawArchive;
  readonly eventsQueue: EventsQueue;
  readonly keyRegistry: KeyRegistry;
  readonly authRateLimit: AuthRateLimit;
  readonly ingestApi: IngestApi;
  readonly eventStore: EventStore;
  readonly eventTables: EventTables;
  readonly eventWriter: EventWriter;
  readonly deadLetterArchiver: DeadLetterArchiver;
  readonly eventCompaction: EventCompaction;
  readonly queryApi: QueryApi;
  /** LLM provider keys (sealed) and their audit trail; the provider-keys function and routes. */
  readonly providerKeys: ProviderKeyTable;
  readonly providerKeysApi: ProviderKeysApi;
  /** The LLM proxy's budgets, rate limits and response cache (grantAdmit, grantReadWriteCache). */
  readonly proxyLimits: ProxyLimits;
  readonly pendingUpdates: PendingUpdates;
  readonly syncController: SyncController;
  /** HoneyHive's /configurations and /tools: read from the synced copy, writes forwarded to the control plane. */
  readonly configurationsApi: ConfigurationsApi;
  readonly llmProxy: LlmProxy;
  readonly heartbeatSender: HeartbeatSender;
  readonly monitorEvaluator: MonitorEvaluator;
  /** Runs Python code metrics: no network, tenant isolation per project (docs/python-metrics.md). */
  readonly evaluatorExecutor: EvaluatorExecutor;
  /** HoneyHive's run_metric: one metric run on one event, Python through the executor. */
  readonly runMetricApi: RunMetricApi;
  /** Online evaluation: the tasks the writer queues, and the worker that scores them. */
  readonly evaluationsQueue: EvaluationsQueue;
  readonly evaluationWorker: EvaluationWorker;
  /** Evaluators over stored events: the backfills API and the Step Functions workflow it starts. */
  readonly backfills: Backfills;
  /** Server-side experiments: the experiments API and the Step Functions workflow it starts. */
  readonly experiments: Experiments;
  /** HoneyHive's datasets and datapoints. */
  readonly datasetsApi: DatasetsApi;
  /** The optional OTLP/gRPC collector (dataPlanes[].grpcCollector); undefined when not configured. */
  readonly grpcCollector?: GrpcCollector;
  readonly alarmTopic: AlarmTopic;
  readonly apiAlarms: HttpApiAlarms;
  readonly dashboard: DataPlaneDashboard;

  constructor(scope: Construct, id: string, props: DataPlaneStackProps) {
    super(scope, id, props);
    const { dataPlane, controlPlane } = props;
    setSourceMaps(this, dataPlane.sourceMaps ?? false);
    Tags.of(this).add('waggle:plane', 'data');
    Tags.of(this).add('waggle:data-plane', dataPlane.name);
    Tags.of(this).add('waggle:hosting-model', dataPlane.hostingModel);

    const writerSettings: EventWriterSettings = {
      batchSize: dataPlane.eventWriter?.batchSize,
      maxBatchingWindow:
        dataPlane.eventWriter?.maxBatchingWindowSeconds === undefined
          ? undefined
          : Duration.seconds(dataPlane.eventWriter.maxBatchingWindowSeconds),
      maxConcurrency: dataPlane.eventWriter?.maxConcurrency,
    };

    this.rawArchive = new RawArchive(this, 'RawArchive', {
      rawRetentionDays: dataPlane.retention?.rawRequestDays,
    });
    this.eventsQueue = new EventsQueue(this, 'EventsQueue', {
      // Derived from the consumers' settings, so that changing the writer's never breaks the rule.
      visibilityTimeout: requiredVisibilityTimeout(writerSettings),
      deadLetterVisibilityTimeout: requiredDeadLetterVisibilityTimeout(),
    });
    this.keyRegistry = new KeyRegistry(this, 'KeyRegistry');
    this.authRateLimit = new AuthRateLimit(this, 'AuthRateLimit');
    // Every function that authenticates its callers: one key registry, one token trust, one counter.
    const callerAuth: CallerAuthProps = {
      keyRegistry: this.keyRegistry,
      tokenTrust: controlPlaneTokenTrust(controlPlane, dataPlane),
      authRateLimit: this.authRateLimit,
    };
    this.ingestApi = new IngestApi(this, 'IngestApi', {
      rawArchive: this.rawArchive,
      eventsQueue: this.eventsQueue,
      ...callerAuth,
      logLevel: dataPlane.logLevel,
      corsOrigins: consoleOrigins(controlPlane),
    });
    // The functions whose routes are on the data plane's HTTP API (IngestApi's).
    const onHttpApi = { httpApi: this.ingestApi.api, logLevel: dataPlane.logLevel, ...callerAuth };

    this.eventStore = new EventStore(this, 'EventStore', {
      accessLogBucket: this.rawArchive.accessLogBucket,
      projectRetention: dataPlane.retention?.projectEvents,
    });
    this.eventTables = new EventTables(this, 'EventTables', {
      eventStore: this.eventStore,
      accessLogBucket: this.rawArchive.accessLogBucket,
      databaseName: glueDatabaseName(dataPlane.name),
      workGroupName: athenaWorkGroupName(dataPlane.name),
      bytesScannedCutoffPerQuery: dataPlane.athena?.bytesScannedCutoffPerQuery,
      dataStartDate: dataPlane.dataStartDate,
    });
    // Updates that arrive before their event wait here: the writer folds them, reads merge them.
    this.pendingUpdates = new PendingUpdates(this, 'PendingUpdates');
    this.syncController = new SyncController(this, 'Sync', {
      dataPlane,
      controlPlane,
      keyRegistry: this.keyRegistry,
    });
    // Online evaluation: the writer queues tasks here, the evaluation worker (below) runs them.
    this.evaluationsQueue = new EvaluationsQueue(this, 'EvaluationsQueue');
    this.eventWriter = new EventWriter(this, 'EventWriter', {
      ...writerSettings,
      evaluationsQueue: this.evaluationsQueue,
      syncController: this.syncController,
      eventsQueue: this.eventsQueue,
      eventStore: this.eventStore,
      eventTables: this.eventTables,
      rawArchive: this.rawArchive,
      pendingUpdates: this.pendingUpdates,
      logLevel: dataPlane.logLevel,
    });
    this.deadLetterArchiver = new DeadLetterArchiver(this, 'DeadLetterArchiver', {
      eventsQueue: this.eventsQueue,
      eventStore: this.eventStore,
      logLevel: dataPlane.logLevel,
    });
    this.eventCompaction = new EventCompaction(this, 'EventCompaction', {
      eventStore: this.eventStore,
      logLevel: dataPlane.logLevel,
    });
    this.datasetsApi = new DatasetsApi(this, 'DatasetsApi', {
      ...onHttpApi,
    });
    this.queryApi = new QueryApi(this, 'QueryApi', {
      ...onHttpApi,
      eventStore: this.eventStore,
      eventTables: this.eventTables,
      eventsQueue: this.eventsQueue,
      rawArchive: this.rawArchive,
      pendingUpdates: this.pendingUpdates,
      runsTable: this.datasetsApi.store,
      defaultReadWindowDays: dataPlane.defaultReadWindowDays,
    });
    this.providerKeys = new ProviderKeyTable(this, 'ProviderKeys');
    this.proxyLimits = new ProxyLimits(this, 'ProxyLimits');
    this.providerKeysApi = new ProviderKeysApi(this, 'ProviderKeysApi', {
      ...onHttpApi,
      providerKeys: this.providerKeys,
      proxyLimits: this.proxyLimits,
    });

    this.configurationsApi = new ConfigurationsApi(this, 'ConfigurationsApi', {
      ...onHttpApi,
      syncController: this.syncController,
      controlPlaneUrl: controlPlane.url,
    });
    this.llmProxy = new LlmProxy(this, 'LlmProxy', {
      providerKeys: this.providerKeys,
      proxyLimits: this.proxyLimits,
      ...callerAuth,
      eventsQueue: this.eventsQueue,
      rawArchive: this.rawArchive,
      syncController: this.syncController,
      logLevel: dataPlane.logLevel,
      corsOrigins: consoleOrigins(controlPlane),
    });
    this.heartbeatSender = new HeartbeatSender(this, 'Heartbeat', {
      dataPlane,
      controlPlane,
      endpoint: this.ingestApi.url,
      eventsQueue: this.eventsQueue.queue,
      deadLetterQueues: [this.eventsQueue.deadLetterQueue, this.syncController.inbox.deadLetterQueue],
      stateTable: this.syncController.stateTable,
      stateKeyArn: this.syncController.stateKey.keyArn,
    });

    this.monitorEvaluator = new MonitorEvaluator(this, 'Monitors', {
      dataPlane,
      controlPlane,
      syncController: this.syncController,
      eventStore: this.eventStore,
      eventTables: this.eventTables,
    });

    this.evaluatorExecutor = new EvaluatorExecutor(this, 'EvaluatorExecutor');
    // Metrics run Python in the executor; their judges call providers as the proxy does.
    const metricExecution: MetricExecutionAccess = {
      executor: this.evaluatorExecutor,
      providerKeys: this.providerKeys,
      proxyLimits: this.proxyLimits,
      eventsQueue: this.eventsQueue,
      rawArchive: this.rawArchive,
      judgeDailyBudgetUsd: dataPlane.evaluation?.judgeDailyBudgetUsd,
      judgeFallbacks: dataPlane.evaluation?.judgeFallbacks,
    };
    // run_metric, online evaluation and backfills run metrics on stored events.
    const metricRuns: MetricRunAccess = {
      ...metricExecution,
      syncController: this.syncController,
      eventStore: this.eventStore,
      eventTables: this.eventTables,
      pendingUpdates: this.pendingUpdates,
      defaultReadWindowDays: dataPlane.defaultReadWindowDays,
    };
    this.runMetricApi = new RunMetricApi(this, 'RunMetricApi', {
      ...onHttpApi,
      metricRuns,
    });
    this.backfills = new Backfills(this, 'Backfills', {
      ...onHttpApi,
      metricRuns,
      accessLogBucket: this.rawArchive.accessLogBucket,
    });
    this.experiments = new Experiments(this, 'Experiments', {
      ...onHttpApi,
      ...metricExecution,
      datasets: this.datasetsApi.store,
      syncController: this.syncController,
      accessLogBucket: this.rawArchive.accessLogBucket,
    });
    this.evaluationWorker = new EvaluationWorker(this, 'EvaluationWorker', {
      evaluationsQueue: this.evaluationsQueue,
      metricRuns,
      maxConcurrency: dataPlane.evaluation?.maxConcurrency,
      logLevel: dataPlane.logLevel,
    });

    if (dataPlane.grpcCollector) {
      this.grpcCollector = new GrpcCollector(this, 'GrpcCollector', {
        config: dataPlane.grpcCollector,
        apiUrl: this.ingestApi.url,
        accessLogBucket: this.rawArchive.accessLogBucket,
        label: `data plane ${dataPlane.name}`,
      });
    }

    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      planeName: `data plane ${dataPlane.name}`,
      emails: dataPlane.alarmEmails,
    });
    this.apiAlarms = new HttpApiAlarms(this, 'ApiAlarms', {
      api: this.ingestApi.api,
      label: `data plane ${dataPlane.name}`,
    });
    // Last: its alarm widget lists every alarm created above.
    this.dashboard = new DataPlaneDashboard(this, 'Dashboard', this, dataPlane.name);

    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Every alarm of this data plane notifies this topic (subscribe more endpoints to it)',
      value: this.alarmTopic.topic.topicArn,
    });
    new CfnOutput(this, 'IngestApiUrl', {
      description:
        'Base URL for SDKs, OTLP exporters (append v1/traces) and the read API (v1/events/export, v1/sessions/{id})',
      value: this.ingestApi.url,
    });
    if (this.grpcCollector) {
      new CfnOutput(this, 'GrpcCollectorEndpoint', {
        description:
          'OTLP/gRPC endpoint (OTEL_EXPORTER_OTLP_ENDPOINT with OTEL_EXPORTER_OTLP_PROTOCOL=grpc); the collector forwards to IngestApiUrl',
        value: this.grpcCollector.endpoint,
      });
      new CfnOutput(this, 'GrpcCollectorLoadBalancerDnsName', {
        description:
          "Where the collector's domain name must point (CNAME or alias) when no hostedZoneId is configured",
        value: this.grpcCollector.loadBalancer.loadBalancerDnsName,
      });
    }
    new CfnOutput(this, 'RawArchiveBucketName', { value: this.rawArchive.bucket.bucketName });
    new CfnOutput(this, 'EventsQueueUrl', { value: this.eventsQueue.queue.queueUrl });
    new CfnOutput(this, 'EventsDeadLetterQueueUrl', { value: this.eventsQueue.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'KeyTableName', { value: this.keyRegistry.table.tableName });
    new CfnOutput(this, 'EventStoreBucketName', { value: this.eventStore.bucket.bucketName });
    new CfnOutput(this, 'GlueDatabaseName', {
      description: 'Glue database of the events, tombstones, scores and event_schemas tables',
      value: this.eventTables.databaseName,
    });
    new CfnOutput(this, 'AthenaWorkGroupName', {
      description:
        'Run queries over the event tables in this workgroup (results encrypted, scan limit per query)',
      value: this.eventTables.workGroupName,
    });
    new CfnOutput(this, 'AthenaResultsBucketName', { value: this.eventTables.resultsBucket.bucketName });
    new CfnOutput(this, 'InboxQueueUrl', {
      description: 'Where the control plane sends signed config messages (only its sender roles may)',
      value: this.syncController.inbox.queue.queueUrl,
    });
    new CfnOutput(this, 'ControlPlaneLocation', {
      description: 'The control plane this data plane answers to',
      value: `${controlPlane.account}/${controlPlane.region}`,
    });
  }

  /**
   * The first two Availability Zones of the region, resolved by CloudFormation (Fn::GetAZs) rather
   * than by a context lookup: an environment-bound stack would otherwise look them up in the account
   * at synth time, and synth must stay offline. Only the gRPC collector's VPC uses them.
   */
  override get availabilityZones(): string[] {
    return [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
  }
}
