/**
 * The data plane's monitor evaluator, run every minute (EventBridge Scheduler on AWS; a timer of
 * WAGGLE_MONITOR_INTERVAL_S locally): the monitors synced to this plane (the ConfigStore's `alert`
 * entries), evaluated over the rollups (domain/alerts/monitors/evaluate.ts); each notifying change
 * queued to the control plane's delivery queue before the state is saved. No AWS imports.
 */
import {
  type EvaluationDeps,
  type EvaluationResult,
  evaluateMonitors,
} from '../domain/alerts/monitors/evaluate';
import {
  type MonitorDefinition,
  type MonitorPayload,
  monitorFromPayload,
} from '../domain/alerts/monitors/synced';
import type { ConfigStore } from '../domain/sync/stores';

export interface MonitorEvaluatorDeps extends Omit<EvaluationDeps, 'projectName'> {
  configStore: Pick<ConfigStore, 'list' | 'get'>;
  /** A synced monitor the evaluator cannot read (a bug or an old payload): reported, skipped. */
  onUnreadable?: (info: { monitorId: string; error: unknown }) => void;
}

export function createMonitorEvaluator(deps: MonitorEvaluatorDeps): () => Promise<EvaluationResult> {
  return async () => {
    const monitors: MonitorDefinition[] = [];
    for (const entry of await deps.configStore.list('alert')) {
      try {
        monitors.push(monitorFromPayload(entry.payload as unknown as MonitorPayload));
      } catch (error) {
        deps.onUnreadable?.({ monitorId: entry.entityId, error });
      }
    }
    const names = new Map<string, string>();
    return evaluateMonitors(monitors, {
      ...deps,
      async projectName(projectId) {
        let name = names.get(projectId);
        if (name === undefined) {
          const project = await deps.configStore.get('project', projectId);
          const synced = project?.payload.name;
          name = typeof synced === 'string' && synced !== '' ? synced : projectId;
          names.set(projectId, name);
        }
        return name;
      },
    });
  };
}
