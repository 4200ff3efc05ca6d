/**
 * Monitors on the local platform: the same evaluator as on AWS (monitor-evaluator/app.ts) over the
 * DuckDB rollups view, monitor states in dynalite (the table AWS has), and notifications queued on
 * the local control plane's delivery queue, every WAGGLE_MONITOR_INTERVAL_S seconds (default 60,
 * EventBridge Scheduler's every minute on AWS). One run at a time: a slow run delays the next.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoMonitorStatusStore, MONITOR_STATUS_TABLE } from '../adapters/aws/dynamo-monitor-status-store';
import type { EvaluationResult } from '../domain/alerts/monitors/evaluate';
import { queueOutbox } from '../domain/alerts/monitors/outbox';
import { engineRollupReader } from '../domain/alerts/monitors/rollup-query';
import type { MessageQueue } from '../domain/ports';
import type { QueryEngine } from '../domain/query/engine';
import type { ConfigStore } from '../domain/sync/stores';
import { createMonitorEvaluator } from '../monitor-evaluator/app';
import { ensureTable } from './dynamo-local';
import type { Logger } from './logger';

export const LOCAL_MONITOR_STATUS_TABLE = 'waggle-local-monitor-states';
export const DEFAULT_MONITOR_INTERVAL_S = 60;

/** LocalPlatformOptions.monitors. */
export interface LocalMonitorSettings {
  /** Seconds between evaluation runs (npm start: WAGGLE_MONITOR_INTERVAL_S; default 60). */
  intervalSeconds?: number;
  /** The evaluator's clock; tests move it forward instead of waiting out a window. */
  clock?: () => number;
}

export interface LocalMonitors {
  statuses: DynamoMonitorStatusStore;
  /** Runs one evaluation now (also run on the timer). */
  evaluate(): Promise<EvaluationResult>;
  close(): Promise<void>;
}

export async function startLocalMonitors(options: {
  dynamo: DynamoDBClient;
  engine: QueryEngine;
  configStore: Pick<ConfigStore, 'list' | 'get'>;
  deliveryQueue: MessageQueue;
  logger: Logger;
  settings?: LocalMonitorSettings;
}): Promise<LocalMonitors> {
  const { logger, settings = {} } = options;
  await ensureTable(options.dynamo, LOCAL_MONITOR_STATUS_TABLE, [
    MONITOR_STATUS_TABLE.partitionKey,
    MONITOR_STATUS_TABLE.sortKey,
  ]);
  const statuses = new DynamoMonitorStatusStore(options.dynamo, LOCAL_MONITOR_STATUS_TABLE);
  const run = createMonitorEvaluator({
    configStore: options.configStore,
    readRollups: engineRollupReader(options.engine),
    statuses,
    outbox: queueOutbox(options.deliveryQueue),
    ...(settings.clock && { clock: settings.clock }),
    onFailure: ({ monitorIds, error }) =>
      logger.warn(`monitors: evaluating ${monitorIds.join(', ')} failed (${(error as Error).message})`),
    onUnreadable: ({ monitorId, error }) =>
      logger.warn(`monitors: synced monitor ${monitorId} unreadable (${(error as Error).message})`),
  });
  let running: Promise<EvaluationResult> | undefined;
  const evaluate = () => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
  const intervalMs = (settings.intervalSeconds ?? DEFAULT_MONITOR_INTERVAL_S) * 1000;
  const timer = setInterval(() => {
    evaluate().catch((error: unknown) => logger.warn(`monitors: run failed (${(error as Error).message})`));
  }, intervalMs);
  timer.unref();
  return {
    statuses,
    evaluate,
    async close() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
