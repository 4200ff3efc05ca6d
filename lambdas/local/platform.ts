/**
 * The local data plane: the ingest and query handlers behind the local HTTP API server, the writer
 * and dead-letter archiver driven by queue pollers with SQS semantics, compaction on a timer, files
 * for S3, DuckDB for Athena and embedded dynalite for DynamoDB, all under one data folder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { DynamoRunStore } from '../adapters/aws/dynamo-dataset-store';
import { DynamoKeyRegistry } from '../adapters/aws/dynamo-key-registry';
import { DynamoPendingUpdates } from '../adapters/aws/dynamo-pending-updates';
import { createDuckDbQueryEngine } from '../adapters/local/duckdb-query-engine';
import { FileObjectStore } from '../adapters/local/file-object-store';
import { LocalQueue } from '../adapters/local/local-queue';
import { startQueuePoller } from '../adapters/local/local-queue-poller';
import { PythonSandbox } from '../adapters/local/python-sandbox';
import { createLocalProviderFetch } from '../adapters/providers/guarded-fetch';
import { createProviderJudgeRunner } from '../adapters/providers/provider-judge-runner';
import { createCompactionJob } from '../compaction/app';
import { DEFAULT_JUDGE_DAILY_BUDGET_USD } from '../config/judge';
import { createDeadLetterArchiver } from '../dead-letter-archiver/app';
import { generateApiKey, hashApiKey, isWellFormedApiKey } from '../domain/auth/api-key';
import type { DataPlaneAuthOptions } from '../domain/auth/authenticate-request';
import { API_KEY_SCOPES, type ApiKeyRecord } from '../domain/auth/principal';
import { createMemoryRateLimiter } from '../domain/auth/rate-limit';
import { createTokenVerifier } from '../domain/auth/token-verifier';
import { runEventReader } from '../domain/evaluators/definitions/run-metric';
import type { JudgeRunner } from '../domain/evaluators/evaluator';
import { createRunResultService } from '../domain/experiments/run-results';
import { publishRecords } from '../domain/ingest/publish-records';
import type { DeletableObjectStore, ObjectStore } from '../domain/ports';
import { createEventQueryService } from '../domain/query/event-query-service';
import { withPendingUpdates } from '../domain/query/pending-merge';
import { createRunEventsReader } from '../domain/query/run-events';
import type { EventQueryService } from '../domain/query/types';
import { DEFAULT_MAX_RECEIVE_COUNT } from '../domain/queue-limits';
import { needsLocatorRebuild, rebuildLocator } from '../domain/store/locator-rebuild';
import { createIngestHandler, INGEST_ROUTES } from '../ingest/app';
import { createQueryApiHandler } from '../query-api/app';
import { QUERY_ROUTES } from '../query-api/routes';
import { createRunMetricHandler, RUN_METRIC_ROUTES } from '../run-metric/app';
import { createWriterHandler, type WriterDeps, type WriterHandler } from '../writer/app';
import { startBackfillsLocal } from './backfills-local';
import { type ConfigurationsLocal, startConfigurationsLocal } from './configurations-local';
import { buildConsole, CONSOLE_DIST_DIR, type ConsoleBuild } from './console-build';
import { openConsoleFiles } from './console-files';
import { type LocalBootstrap, type LocalControlPlane, startLocalControlPlane } from './control-plane';
import { dataPlaneCors } from './cors';
import { LOCAL_DATASETS_TABLE, startDatasetsLocal } from './datasets-local';
import {
  ensureKeyTable,
  ensurePendingUpdatesTable,
  LOCAL_KEY_TABLE,
  LOCAL_PENDING_UPDATES_TABLE,
  startLocalDynamo,
} from './dynamo-local';
import { startExperimentsLocal } from './experiments-local';
import { startGrpcServer } from './grpc-server';
import { startHttpServer } from './http-server';
import { startLlmProxyLocal } from './llm-proxy-local';
import { readSavedInfo } from './local-info';
import { LOCAL_DATA_PLANE_ID } from './local-sync-publisher';
import { type Logger, loggerFromLines } from './logger';
import { type LocalMonitorSettings, type LocalMonitors, startLocalMonitors } from './monitors-local';
import type { LocalNotificationSettings } from './notifications-local';
import {
  type LocalEvaluatorCatalog,
  type OnlineEvaluationLocal,
  startOnlineEvaluationLocal,
} from './online-evaluation-local';
import { localPaths } from './paths';
import { startProviderKeysLocal } from './provider-keys-local';
import { createQueueDepthWatch } from './queue-depth-watch';
import { logAnsweredRequest } from './request-log';
import { noteRequest } from './request-notes';
import { runInOrder } from './run-in-order';
import { startWriterThread } from './writer-thread';

export { localPaths } from './paths';

export const LOCAL_TENANT = { org_id: 'local', workspace_id: 'local' } as const;
/** Locally a session is scored a minute after its last event (AWS: 5 minutes), so a developer sees it soon. */
const LOCAL_SESSION_QUIET_SECONDS = 60;
/** How often the events queue's depth is looked at for the log. */
const QUEUE_DEPTH_SAMPLE_MS = 5_000;

/**
 * Local batching favours freshness over file count: an event is readable about a second after it
 * is accepted. Compaction folds the small files of each closed hour into one.
 */
export interface LocalWriterTuning {
  batchSize: number;
  maximumBatchingWindowMs: number;
  visibilityTimeoutMs: number;
  compactionIntervalMs: number;
}

export const LOCAL_WRITER_DEFAULTS: LocalWriterTuning = {
  batchSize: 500,
  maximumBatchingWindowMs: 500,
  visibilityTimeoutMs: 60_000,
  compactionIntervalMs: 5 * 60_000,
};

export interface LocalPlatformOptions {
  port?: number;
  host?: string;
  /**
   * Serves OTLP/gRPC (TraceService/Export, through the same ingest handler) on this port of `host`
   * beside the HTTP API (npm start: WAGGLE_GRPC_PORT, 4317; 0: any free port); unset: no gRPC server.
   */
  grpcPort?: number;
  dataDir: string;
  projectName?: string;
  apiKey?: string;
  /** Where the platform says what it does (npm start: WAGGLE_LOG_LEVEL, WAGGLE_LOG_FORMAT). */
  logger?: Logger;
  /** A plain line sink instead of logger (every level, text); tests use it. */
  log?: (line: string) => void;
  /** Starts the local control plane beside the data plane (npm start does; port 4319 by default). */
  controlPlane?: {
    port?: number;
    host?: string;
    syncBatchingWindowMs?: number;
    reconcileIntervalMs?: number;
    /**
     * The web console the control plane serves at its root (console-files.ts): the build in `dir`
     * (ui/dist). `build: true` (npm start) builds it first when it is missing or older than ui/'s
     * sources; tests never build unless they ask. A failed build leaves the platform running without it.
     */
    console?: { dir?: string; build?: boolean; sourceDir?: string };
    /** Notification delivery: local mode (loopback URLs allowed) unless turned off, retry policy. */
    notifications?: LocalNotificationSettings;
  };
  /**
   * Origins the data plane allows by CORS (API Gateway's CORS configuration; npm start:
   * WAGGLE_CORS_ORIGINS). Default: the console's own origin when the control plane runs, else none.
   */
  corsOrigins?: readonly string[];
  /**
   * The data plane's API-key cache (positiveTtlMs defaults to 30 s: how long a revoked key may still
   * work) and brute-force limit (one rateLimiter for ingest and query; in memory unless given).
   */
  auth?: DataPlaneAuthOptions;
  /** Writer batching and compaction cadence; defaults in LOCAL_WRITER_DEFAULTS. */
  writer?: Partial<LocalWriterTuning>;
  /**
   * Runs the writer in a worker thread of its own (default), so batches do not stall requests;
   * false runs it on the main thread. Fault seams on its stores (faults.eventStore, faults.rawArchive)
   * need it on the main thread and imply false.
   */
  writerThread?: boolean;
  /** Seconds a session must stay quiet before session evaluators score it (npm start: WAGGLE_SESSION_QUIET_S, 60). */
  sessionQuietSeconds?: number;
  /** Milliseconds each retry of a workflow's state waits (server-side experiments; the definition's intervals when unset). */
  workflowRetryIntervalMs?: number;
  /** Monitor evaluation (monitors-local.ts): its interval (npm start: WAGGLE_MONITOR_INTERVAL_S) and, in tests, its clock. */
  monitors?: LocalMonitorSettings;
  /** Seams for the end-to-end fault tests (a failing store, a crashing writer); unset in normal runs. */
  faults?: {
    eventStore?: (store: DeletableObjectStore) => DeletableObjectStore;
    /** The raw archive as the writer sees it (where it puts raw/batches/ objects). */
    rawArchive?: (store: ObjectStore) => ObjectStore;
    writer?: (writer: WriterHandler) => WriterHandler;
  };
}

export interface LocalPlatformInfo {
  /** The local key: with the control plane, a key of its project `project` (id `project_id`). */
  apiKey: string;
  project: string;
  /** With the control plane: the project id the data plane files the key's data under (else the id is the name). */
  project_id?: string;
  /** A data folder's earlier key (project id "default", made before the local key came from the control plane); still valid. */
  legacyApiKey?: string;
  url: string;
  /** otlpGrpc: the OTLP/gRPC endpoint (`http://host:port`), when the gRPC server runs. */
  endpoints: { otlpTraces: string; otlpGrpc?: string; honeyhive: string; health: string };
  dataDir: string;
  /** The local control plane; the admin password is only here (and printed) after the first start. */
  controlPlane?: Partial<LocalBootstrap> & { url: string };
  /** The web console's address (the control plane's root), when the control plane runs. */
  ui?: string;
}

export { LOCAL_DATA_PLANE_ID } from './local-sync-publisher';

export interface LocalPlatform {
  url: string;
  /** The OTLP/gRPC endpoint (`http://host:port`), when options.grpcPort was given. */
  grpcUrl?: string;
  apiKey: string;
  /** The project id of apiKey's data (the control plane's project id when it runs). */
  projectId: string;
  dataDir: string;
  eventsQueue: LocalQueue;
  eventsDeadLetterQueue: LocalQueue;
  rawArchive: FileObjectStore;
  eventStore: FileObjectStore;
  queries: EventQueryService;
  /** Running when options.controlPlane was given. */
  controlPlane?: LocalControlPlane;
  /**
   * Configurations and tools (GET from the synced copy, writes forwarded to the control plane), when
   * the control plane runs; `lookup` is the ConfigurationLookup the local proxy reads.
   */
  configurations?: ConfigurationsLocal;
  /** The web console (the control plane's root) when the control plane runs; `available` false: no build to serve. */
  console?: { url: string; available: boolean; build?: ConsoleBuild };
  /** LLM judges: calls through the proxy's service with the same provider keys, limits and events queue as the local proxy. */
  judge: JudgeRunner;
  /** Evaluators online evaluation runs beside the metrics synced from the control plane (docs/evaluators.md); tests fill it. */
  evaluators: LocalEvaluatorCatalog;
  /** Runs one compaction pass now (also run on a timer). */
  compact(): Promise<void>;
  /** Monitor evaluation, when the control plane runs. */
  monitors?: LocalMonitors;
  close(): Promise<void>;
}

export async function startLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const logger = options.logger ?? loggerFromLines(options.log ?? (() => {}));
  const paths = localPaths(options.dataDir);
  const projectName = options.projectName ?? 'default';
  if (options.apiKey !== undefined && !isWellFormedApiKey(options.apiKey)) {
    // Registered as is, it would be refused as malformed on every request.
    throw new Error(
      'WAGGLE_LOCAL_API_KEY is not a Waggle API key (format or checksum); unset it, or make a key with `npm run keys -- create --project default --local`',
    );
  }
  await mkdir(paths.root, { recursive: true });

  const dynamo = await startLocalDynamo(paths.dynamodb);
  const cleanup: (() => Promise<void>)[] = [() => dynamo.stop()];
  try {
    await ensureKeyTable(dynamo.client, LOCAL_KEY_TABLE);
    const keys = new DynamoKeyRegistry(dynamo.client, LOCAL_KEY_TABLE);
    const saved = (await readSavedInfo(paths.info)) as Partial<LocalPlatformInfo> | undefined;
    const savedKey = nonEmpty(saved?.apiKey);

    let apiKey: string;
    let projectId = projectName;
    let legacyApiKey = nonEmpty(saved?.legacyApiKey);
    let controlPlane: LocalControlPlane | undefined;
    if (options.controlPlane) {
      // The local key is a key of the control plane's project (default "default"), synced like any key.
      const started = await startLocalControlPlane({
        ...options.controlPlane,
        dataDir: paths.root,
        dynamo: dynamo.client,
        keyRegistry: keys,
        dataPlaneId: LOCAL_DATA_PLANE_ID,
        localKey: {
          projectName,
          apiKey: options.apiKey,
          savedKeys: [savedKey, nonEmpty(saved?.controlPlane?.apiKey)].filter((key) => key !== undefined),
        },
        logger,
      });
      controlPlane = started;
      cleanup.unshift(() => started.close());
      const localKey = started.localKey as NonNullable<LocalControlPlane['localKey']>;
      apiKey = localKey.apiKey;
      projectId = localKey.project_id;
      // A data folder from before: its own key (project id "default") stays valid; keep it findable.
      if (savedKey && savedKey !== apiKey && (await isDataPlaneOwnKey(keys, savedKey))) {
        legacyApiKey = savedKey;
        logger.info(
          `local key: now a key of the control-plane project "${localKey.project}" (${projectId}); the earlier key stays valid for project id "${projectName}" (local.json legacyApiKey)`,
        );
      }
    } else {
      apiKey = options.apiKey ?? savedKey ?? generateApiKey();
      await registerLocalKey(keys, apiKey, projectName);
    }
    // Tokens are verified against the control plane's JWKS, fetched in-process (no HTTPS locally).
    const tokenAuth = controlPlane && {
      tokens: createTokenVerifier({
        issuer: controlPlane.issuer,
        audience: controlPlane.dataPlaneId,
        jwks: { fetch: (controlPlane as LocalControlPlane).jwks },
      }),
      projectName: controlPlane.projectName,
    };

    // One failed-authentication budget per source for every data-plane route, as AWS's shared table gives.
    const auth: DataPlaneAuthOptions = {
      ...options.auth,
      rateLimiter: options.auth?.rateLimiter ?? createMemoryRateLimiter({ clock: options.auth?.clock }),
    };

    const rawArchive = new FileObjectStore(paths.rawArchive);
    const eventsDeadLetterQueue = await LocalQueue.open(paths.eventsDeadLetterQueue, {
      name: 'waggle-events-dlq',
    });
    const eventsQueue = await LocalQueue.open(paths.eventsQueue, {
      name: 'waggle-events',
      redrive: { deadLetterQueue: eventsDeadLetterQueue, maxReceiveCount: DEFAULT_MAX_RECEIVE_COUNT },
    });
    const ingest = createIngestHandler({
      keys,
      rawArchive,
      // Overflow objects share the raw-archive bucket, as on AWS.
      overflowStore: rawArchive,
      eventsQueue,
      auth,
      ...tokenAuth,
      onIngested: (summary) =>
        noteRequest({
          project: summary.projectId,
          accepted: summary.acceptedRecords,
          refused: summary.rejectedSpans > 0 ? summary.rejectedSpans : undefined,
          dropped_values: summary.droppedValues > 0 ? summary.droppedValues : undefined,
        }),
      onError: (error, context) =>
        logger.error(`ingest: ${context.routeKey} answered ${context.status}`, { error: messageOf(error) }),
    });

    const eventStore = new FileObjectStore(paths.eventStore);
    // A data folder from before the id locator: locate what it holds, once, before anything reads it.
    if (await needsLocatorRebuild(eventStore)) {
      logger.info('store: building the id locator for events stored before it existed (once)');
      const rebuilt = await rebuildLocator(eventStore, {
        now: Date.now(),
        onProgress: (files) => {
          if (files % 500 === 0) logger.info(`store: id locator: ${files} event files read`);
        },
      });
      logger.info('store: id locator built', { ...rebuilt });
    }
    const engine = await createDuckDbQueryEngine({ storeRoot: paths.eventStore });
    // Stopped last but one (before dynalite): pollers and requests use it until they stop.
    cleanup.unshift(async () => engine.close());
    const storedQueries = createEventQueryService(engine);
    // Updates that arrived before their event wait here, as on AWS; reads merge the unfolded ones.
    await ensurePendingUpdatesTable(dynamo.client);
    const pendingUpdates = new DynamoPendingUpdates(dynamo.client, LOCAL_PENDING_UPDATES_TABLE);
    const queries = withPendingUpdates(storedQueries, pendingUpdates);
    const tuning = { ...LOCAL_WRITER_DEFAULTS, ...options.writer };

    let onlineEvaluation: OnlineEvaluationLocal | undefined;
    const writerHooks: Pick<WriterDeps, 'lookupLatest' | 'onEventsStored' | 'onWritten' | 'onFailure'> = {
      lookupLatest: (tenant, ids) => storedQueries.lookupLatest(tenant, ids),
      // Bound once online evaluation has started (it needs the judge, made further down).
      onEventsStored: (events) => onlineEvaluation?.onEventsStored(events) ?? Promise.resolve(),
      onWritten: (written) =>
        logger.info('writer: batch written', {
          messages: written.messages,
          files: written.files,
          events: written.events,
          tombstones: written.tombstones || undefined,
          failed: written.failed || undefined,
          dead_lettered: written.deadLettered || undefined,
        }),
      onFailure: (failure) => logger.warn(`writer: ${failure.stage} failed for ${describeFailure(failure)}`),
    };
    // The writer's own thread (writer-thread.ts), unless a test wraps its stores in faults.
    const storeFaults = options.faults?.eventStore || options.faults?.rawArchive;
    let realWriter: WriterHandler;
    if (storeFaults || options.writerThread === false) {
      realWriter = createWriterHandler({
        store: options.faults?.eventStore?.(eventStore) ?? eventStore,
        overflowStore: rawArchive,
        rawArchive: options.faults?.rawArchive?.(rawArchive) ?? rawArchive,
        pendingUpdates,
        ...writerHooks,
      });
    } else {
      const thread = await startWriterThread({
        eventStoreDir: paths.eventStore,
        rawArchiveDir: paths.rawArchive,
        dynamoEndpoint: dynamo.endpoint,
        pendingUpdatesTable: LOCAL_PENDING_UPDATES_TABLE,
        ...writerHooks,
        onCrash: (error) =>
          logger.error('writer: the writer thread stopped; starting it again', { error: error.message }),
      });
      // Closed after the writer's poller (cleanup runs in order; the poller is added below).
      cleanup.unshift(() => thread.close());
      realWriter = thread.handler;
    }
    const writer = options.faults?.writer?.(realWriter) ?? realWriter;
    const pollerOptions = {
      batchSize: tuning.batchSize,
      maximumBatchingWindowMs: tuning.maximumBatchingWindowMs,
      visibilityTimeoutMs: tuning.visibilityTimeoutMs,
      log: (line: string) => logger.warn(line),
    };
    const writerPoller = startQueuePoller(eventsQueue, writer, pollerOptions);
    const archiverPoller = startQueuePoller(
      eventsDeadLetterQueue,
      createDeadLetterArchiver(eventStore),
      pollerOptions,
    );
    // Pollers stop after the HTTP server has drained, so accepted requests still get written.
    cleanup.unshift(
      () => writerPoller.stop(),
      () => archiverPoller.stop(),
    );

    const compaction = createCompactionJob(eventStore, {
      onFailure: (partition, error) =>
        logger.error(`compaction: ${partition} failed`, { error: messageOf(error) }),
    });
    let compacting: Promise<void> | undefined;
    const compact = () => {
      compacting ??= compaction()
        .then(() => undefined)
        .finally(() => {
          compacting = undefined;
        });
      return compacting;
    };
    const compactionTimer = setInterval(() => {
      compact().catch((error: unknown) => logger.error('compaction failed', { error: messageOf(error) }));
    }, tuning.compactionIntervalMs);
    compactionTimer.unref();
    cleanup.unshift(async () => {
      clearInterval(compactionTimer);
      await compacting;
    });

    const query = createQueryApiHandler({
      keys,
      queries,
      // The runs table is made by startDatasetsLocal, before the server takes requests.
      runResults: createRunResultService({
        runs: new DynamoRunStore(dynamo.client, LOCAL_DATASETS_TABLE),
        readRunEvents: createRunEventsReader(engine),
      }),
      eventsQueue,
      overflowStore: rawArchive,
      payloadStore: eventStore,
      auth,
      ...tokenAuth,
      onAnswered: (answer) => noteRequest({ project: answer.projectId }),
      onError: (error, context) =>
        logger.error(`query: ${context.routeKey} answered ${context.status}`, { error: messageOf(error) }),
    });
    const queryRoutes = new Set<string>(QUERY_ROUTES);
    // Provider keys: the same callers as reads, secrets sealed with the data folder's local key.
    const providerKeys = await startProviderKeysLocal({
      dataDir: paths.root,
      dynamo: dynamo.client,
      callerAuth: { keys, auth, ...tokenAuth },
      onError: (error, context) =>
        logger.error(`provider-keys: ${context.routeKey} answered ${context.status}`, {
          error: messageOf(error),
        }),
      onAuditFailure: (error, entry) =>
        logger.error('provider key audit entry not written', {
          action: entry.action,
          provider: entry.provider,
          scope: entry.scope,
          actor: entry.actor,
          error: messageOf(error),
        }),
    });
    const providerKeyRoutes = new Set<string>(providerKeys.routes);
    // Configurations and tools are the control plane's: without it there is nothing to serve.
    const configurations =
      controlPlane &&
      startConfigurationsLocal({
        configStore: controlPlane.configStore,
        controlPlaneUrl: controlPlane.url,
        callerAuth: { keys, auth, ...tokenAuth },
        onError: (error, context) =>
          logger.error(`configurations: ${context.routeKey} answered ${context.status}`, {
            error: (error as Error).message,
          }),
      });
    const configurationRoutes = new Set<string>(configurations?.routes ?? []);
    let monitorsHandle: LocalMonitors | undefined;
    // Monitors need the control plane: their definitions and the delivery queue are its.
    if (controlPlane) {
      const monitors = await startLocalMonitors({
        dynamo: dynamo.client,
        engine,
        configStore: controlPlane.configStore,
        deliveryQueue: controlPlane.notifications.queue,
        logger,
        settings: options.monitors,
      });
      cleanup.unshift(() => monitors.close());
      monitorsHandle = monitors;
    }
    // The LLM proxy: streamed answers are written as they come (the http server's streaming path).
    const llmProxy = startLlmProxyLocal({
      callerAuth: { keys, auth, ...tokenAuth },
      providerKeys: providerKeys.resolver,
      eventsQueue,
      overflowStore: rawArchive,
      configurations: configurations?.lookup,
      guards: providerKeys.proxyLimits.guards,
      cache: providerKeys.proxyLimits.cache,
      onCall: (call) =>
        noteRequest({
          project: call.projectId,
          model: `${call.provider}/${call.model}`,
          attempts: call.attempts > 1 ? call.attempts : undefined,
          fallback: call.fallbackUsed ? true : undefined,
        }),
      onEventLost: (error) => logger.error('llm-proxy: model event not queued', { error: messageOf(error) }),
      onError: (error, context) =>
        logger.error(`llm-proxy: answered ${context.status}`, { error: messageOf(error) }),
    });
    const judge = createProviderJudgeRunner({
      keys: providerKeys.resolver,
      models: { fetch: createLocalProviderFetch() },
      publish: async (records, requestId) => {
        await publishRecords(records, eventsQueue, rawArchive, { requestId: `judge-${requestId}` });
      },
      counters: providerKeys.proxyLimits.counters,
      defaultDailyBudgetUsd: DEFAULT_JUDGE_DAILY_BUDGET_USD,
      guards: providerKeys.proxyLimits.guards,
      configurations: configurations?.lookup,
      onEventLost: (error) => logger.error('judge: model event not queued', { error: messageOf(error) }),
    });
    const sandbox = new PythonSandbox();
    cleanup.unshift(async () => sandbox.close());
    // What runs metrics on stored events: online evaluation and backfills alike.
    const metricRuns = { queries, code: sandbox, judge, eventsQueue, overflowStore: rawArchive, logger };
    onlineEvaluation = await startOnlineEvaluationLocal({
      queueDir: paths.evaluationsQueue,
      deadLetterQueueDir: paths.evaluationsDeadLetterQueue,
      ...metricRuns,
      pollerOptions: { batchSize: 10, maximumBatchingWindowMs: 0, visibilityTimeoutMs: 60_000 },
      sessionQuietSeconds: options.sessionQuietSeconds ?? LOCAL_SESSION_QUIET_SECONDS,
      ...(configurations && { synced: configurations.evaluators }),
    });
    // run_metric: stored metrics from the synced copy (so only with the control plane), the local sandbox and judge.
    const runMetric =
      configurations &&
      createRunMetricHandler({
        keys,
        auth,
        ...tokenAuth,
        catalog: configurations.evaluators,
        readEvent: runEventReader(queries, eventStore),
        publish: async (records) => {
          await publishRecords(records, eventsQueue, rawArchive, { requestId: 'review' });
        },
        code: sandbox,
        judge,
        onError: (error, context) =>
          logger.error(`run_metric: ${context.routeKey} answered ${context.status}`, {
            error: messageOf(error),
          }),
      });
    const runMetricRoutes = new Set<string>(runMetric ? RUN_METRIC_ROUTES : []);
    // Backfills: the workflow's definition in the local ASL interpreter (backfill-runner.ts).
    const backfills = await startBackfillsLocal({
      runsDir: paths.backfills,
      itemsDir: paths.backfillItems,
      callerAuth: { keys, auth, ...tokenAuth },
      catalog: onlineEvaluation.evaluators,
      ...metricRuns,
    });
    const backfillRoutes = new Set<string>(backfills.routes);
    const datasets = await startDatasetsLocal({
      dynamo: dynamo.client,
      callerAuth: { keys, auth, ...tokenAuth },
      logger,
    });
    const datasetRoutes = new Set<string>(datasets.routes);
    // Server-side experiments: their workflow's definition in the local ASL interpreter (workflow-runner.ts).
    const experiments = await startExperimentsLocal({
      runsDir: paths.experiments,
      itemsDir: paths.experimentItems,
      dynamo: dynamo.client,
      callerAuth: { keys, auth, ...tokenAuth },
      catalog: onlineEvaluation.evaluators,
      code: sandbox,
      judge,
      ...(configurations && { configurations: configurations.lookup }),
      providerKeys: providerKeys.resolver,
      guards: providerKeys.proxyLimits.guards,
      limits: providerKeys.proxyLimits.limits,
      eventsQueue,
      overflowStore: rawArchive,
      logger,
      ...(options.workflowRetryIntervalMs !== undefined && {
        retryIntervalMs: options.workflowRetryIntervalMs,
      }),
    });
    const experimentRoutes = new Set<string>(experiments.routes);
    // Stopped with the writer's poller: scores become event updates the writer still takes.
    cleanup.unshift(() => (onlineEvaluation as OnlineEvaluationLocal).stop());
    const corsOrigins = options.corsOrigins ?? (controlPlane ? consoleOrigins(controlPlane.url) : []);
    const server = await startHttpServer({
      port: options.port ?? 4318,
      host: options.host ?? '127.0.0.1',
      routes: [
        ...INGEST_ROUTES,
        ...QUERY_ROUTES,
        ...providerKeys.routes,
        ...(configurations?.routes ?? []),
        ...runMetricRoutes,
        ...backfillRoutes,
        ...datasetRoutes,
        ...experimentRoutes,
        ...llmProxy.routes,
      ],
      streaming: { routes: llmProxy.routes, handler: llmProxy.handler },
      handler: (event, context) => {
        if (providerKeyRoutes.has(event.routeKey)) return providerKeys.handler(event, context);
        if (configurations && configurationRoutes.has(event.routeKey))
          return configurations.handler(event, context);
        if (runMetric && runMetricRoutes.has(event.routeKey)) return runMetric(event, context);
        if (backfillRoutes.has(event.routeKey)) return backfills.handler(event, context);
        if (datasetRoutes.has(event.routeKey)) return datasets.handler(event, context);
        if (experimentRoutes.has(event.routeKey)) return experiments.handler(event, context);
        return queryRoutes.has(event.routeKey) ? query(event) : ingest(event, context);
      },
      functionName: 'waggle-data-plane',
      log: (line) => logger.error(line),
      // The console's CORS preflights (one per read, cached an hour by the browser) are debug.
      onAnswered: logAnsweredRequest(logger, { quiet: (request) => request.method === 'OPTIONS' }),
      ...(corsOrigins.length > 0 && { cors: dataPlaneCors(corsOrigins) }),
    });
    cleanup.unshift(() => server.close());
    // OTLP/gRPC: the same ingest handler, log and limits; closed with the HTTP server, before the pollers.
    const grpc =
      options.grpcPort === undefined
        ? undefined
        : await startGrpcServer({
            port: options.grpcPort,
            host: options.host ?? '127.0.0.1',
            handler: (event, context) => ingest(event, context),
            functionName: 'waggle-data-plane',
            log: (line) => logger.error(line),
            onAnswered: logAnsweredRequest(logger),
          });
    if (grpc) cleanup.unshift(() => grpc.close());

    const consoleState =
      controlPlane && (await startConsole(controlPlane, options, server.url, grpc?.url, logger));

    // A backlog (more waiting than one writer batch) is worth a line; a queue kept up with is not.
    const depthWatch = createQueueDepthWatch(tuning.batchSize);
    const depthTimer = setInterval(() => {
      const line = depthWatch.sample(eventsQueue.depth().visible);
      if (line) logger.info(line);
    }, QUEUE_DEPTH_SAMPLE_MS);
    depthTimer.unref();
    cleanup.unshift(async () => clearInterval(depthTimer));

    const info: LocalPlatformInfo = {
      apiKey,
      project: projectName,
      url: server.url,
      endpoints: {
        otlpTraces: `${server.url}/v1/traces`,
        ...(grpc && { otlpGrpc: grpc.url }),
        honeyhive: server.url,
        health: `${server.url}/healthz`,
      },
      dataDir: paths.root,
    };
    // Without the control plane the project id is the name, as before (and local.json stays as it was).
    if (projectId !== projectName) info.project_id = projectId;
    if (legacyApiKey) info.legacyApiKey = legacyApiKey;
    if (consoleState) info.ui = consoleState.url;
    if (controlPlane) {
      info.controlPlane = { ...saved?.controlPlane, ...controlPlane.bootstrap, url: controlPlane.url };
      // One default project, one key: the control plane's section names the local key too.
      if (info.controlPlane.project_id === projectId) info.controlPlane.apiKey = apiKey;
    } else if (saved?.controlPlane) info.controlPlane = saved.controlPlane;
    // The file holds the key in clear text: keep it readable by its owner only.
    await writeFile(paths.info, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });

    let closed: Promise<void> | undefined;
    return {
      url: server.url,
      grpcUrl: grpc?.url,
      apiKey,
      projectId,
      dataDir: paths.root,
      eventsQueue,
      eventsDeadLetterQueue,
      rawArchive,
      eventStore,
      queries,
      controlPlane,
      configurations,
      console: consoleState,
      judge,
      evaluators: onlineEvaluation.catalog,
      compact,
      monitors: monitorsHandle,
      close() {
        // gRPC and HTTP first (drain in-flight requests, which still need the queue and the registry).
        closed ??= runInOrder(cleanup, 'local platform');
        return closed;
      },
    };
  } catch (error) {
    await runInOrder(cleanup, 'local platform').catch(() => undefined);
    throw error;
  }
}

/**
 * The console's origins: the control plane's URL, and on the loopback address its `localhost` name
 * too (the same page opened as http://localhost:4319).
 */
export function consoleOrigins(controlPlaneUrl: string): string[] {
  const url = new URL(controlPlaneUrl);
  const origins = [url.origin];
  if (url.hostname === '127.0.0.1' || url.hostname === '[::1]')
    origins.push(`${url.protocol}//localhost${url.port ? `:${url.port}` : ''}`);
  return origins;
}

/**
 * Serves the console at the control plane's root; with `build`, builds it first when stale. The
 * servers already listen meanwhile (ingestion does not wait), and the root says the build is under way.
 */
async function startConsole(
  controlPlane: LocalControlPlane,
  options: LocalPlatformOptions,
  dataPlaneUrl: string,
  grpcUrl: string | undefined,
  logger: Logger,
): Promise<NonNullable<LocalPlatform['console']>> {
  const dir = options.controlPlane?.console?.dir ?? CONSOLE_DIST_DIR;
  const config = {
    controlPlaneUrl: controlPlane.url,
    auth: { mode: 'local' as const },
    dataPlanes: [
      {
        id: LOCAL_DATA_PLANE_ID,
        url: dataPlaneUrl,
        otlpEndpoint: `${dataPlaneUrl}/v1/traces`,
        ...(grpcUrl && { grpcEndpoint: grpcUrl }),
      },
    ],
  };
  let build: ConsoleBuild | undefined;
  if (options.controlPlane?.console?.build) {
    controlPlane.serveConsole(
      await openConsoleFiles({
        dir,
        config,
        unavailable:
          'npm start builds it when ui/ changed since the last build; this page reloads itself when it is done.',
        building: true,
      }),
    );
    build = await buildConsole({
      outDir: dir,
      sourceDir: options.controlPlane?.console?.sourceDir,
      progress: (line) =>
        line.startsWith('the console did not build') ? logger.error(line) : logger.info(line),
    });
  }
  const files = await openConsoleFiles({
    dir,
    config,
    ...(build?.status === 'failed' && { unavailable: `The last build failed: ${build.error}` }),
  });
  controlPlane.serveConsole(files);
  if (!files.available && build?.status !== 'failed')
    logger.info(`console: no build in ${dir}; build it with \`npm exec -- vite build ui\``);
  return { url: `${controlPlane.url}/`, available: files.available, ...(build && { build }) };
}

async function registerLocalKey(keys: DynamoKeyRegistry, apiKey: string, projectName: string): Promise<void> {
  const keyHash = hashApiKey(apiKey);
  const existing = await keys.findByHash(keyHash);
  // A key the control plane synced (a run with it saved the key) keeps its project and state.
  if (existing && existing.org_id !== LOCAL_TENANT.org_id) return;
  const record: ApiKeyRecord = {
    keyHash,
    ...LOCAL_TENANT,
    project_id: projectName,
    projectName,
    scopes: [...API_KEY_SCOPES],
    revoked: false,
    createdAt: existing?.createdAt ?? Date.now(),
  };
  await keys.put(record);
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A key the data plane registered itself (org "local"), not one the control plane synced. */
async function isDataPlaneOwnKey(keys: DynamoKeyRegistry, apiKey: string): Promise<boolean> {
  const record = await keys.findByHash(hashApiKey(apiKey));
  return record !== undefined && record.org_id === LOCAL_TENANT.org_id && !record.revoked;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeFailure(failure: { stage: string; messageId?: string; error?: unknown }): string {
  const error = failure.error instanceof Error ? failure.error.message : String(failure.error ?? '');
  return `${failure.messageId ?? 'a file'}: ${error}`;
}
