import type { MetricRunInput } from '../../lambdas/config/metric-runs';
import type { WaggleFunction } from '../common/waggle-function';
import type { SyncController } from './data-plane-controller';
import type { EvaluatorExecutor } from './evaluator-executor';
import type { EventStore } from './event-store';
import type { EventTables } from './event-tables';
import type { PendingUpdates } from './pending-updates';
import { grantProviderCalls, type ProviderCallAccess } from './provider-calls';

/**
 * What a function that runs metrics on stored events reaches (run-metric, the evaluation worker):
 * the synced metrics, the read path of events, the evaluator executor, and what LLM judges use as
 * the LLM proxy does (provider keys, limits, the events queue for their model events).
 */
export interface MetricRunAccess extends MetricExecutionAccess {
  /** Its sync-state table holds the synced metrics and configurations (read, never written). */
  readonly syncController: SyncController;
  readonly eventStore: EventStore;
  readonly eventTables: EventTables;
  readonly pendingUpdates: PendingUpdates;
  /** Days a read without a date covers (1-366); absent: 30. */
  readonly defaultReadWindowDays?: number;
}

/**
 * What running a metric takes, wherever its input comes from (stored events, or a server-side
 * experiment's datapoints): the evaluator executor for Python, and the providers for LLM judges,
 * with the judges' default budget and fallbacks.
 */
export interface MetricExecutionAccess extends ProviderCallAccess {
  /** Runs the Python metrics. */
  readonly executor: EvaluatorExecutor;
  /** Dollars a day an evaluator's judge may spend when its definition names no budget (default 5). */
  readonly judgeDailyBudgetUsd?: number;
  /** What a judge model tries when it fails transiently. */
  readonly judgeFallbacks?: Readonly<Record<string, readonly string[]>>;
}

/** The function's METRIC_RUN_VARIABLES (lambdas/config/metric-runs.ts). */
export function metricRunEnvironment(access: MetricRunAccess): MetricRunInput {
  return {
    SYNC_STATE_TABLE_NAME: access.syncController.stateTable.tableName,
    EVENT_STORE_BUCKET: access.eventStore.bucket.bucketName,
    ATHENA_WORKGROUP: access.eventTables.workGroupName,
    GLUE_DATABASE: access.eventTables.databaseName,
    PENDING_UPDATES_TABLE_NAME: access.pendingUpdates.table.tableName,
    DEFAULT_READ_WINDOW_DAYS: access.defaultReadWindowDays,
    EVALUATOR_EXECUTOR_FUNCTION_NAME: access.executor.function.functionName,
    EVENTS_QUEUE_URL: access.eventsQueue.queue.queueUrl,
    OVERFLOW_BUCKET: access.rawArchive.bucket.bucketName,
    PROVIDER_KEYS_TABLE_NAME: access.providerKeys.table.tableName,
    PROVIDER_SECRETS_KEY_ARN: access.providerKeys.secretsKey.keyArn,
    PROXY_LIMITS_TABLE_NAME: access.proxyLimits.limitsTable.tableName,
    JUDGE_DAILY_BUDGET_USD:
      access.judgeDailyBudgetUsd === undefined ? undefined : String(access.judgeDailyBudgetUsd),
    JUDGE_FALLBACKS: access.judgeFallbacks === undefined ? undefined : JSON.stringify(access.judgeFallbacks),
  };
}

/**
 * Lets the function read the synced metrics (never write them) and events, invoke the executor, and
 * run judges as the proxy calls providers (provider-calls.ts), Bedrock included.
 */
export function grantMetricRuns(fn: WaggleFunction, access: MetricRunAccess): void {
  const role = fn.role;
  access.syncController.grantReadSyncedConfig(role);
  access.eventStore.grantReadEvents(role);
  access.eventTables.grantQuery(role);
  access.pendingUpdates.attachReader(fn);
  access.executor.grantInvoke(role);
  grantProviderCalls(role, access);
}
