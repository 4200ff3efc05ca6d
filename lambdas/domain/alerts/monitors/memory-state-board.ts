/** The control plane's board of monitor states in memory: tests, and the reference for DynamoDB's. */
import type { HistoryEntry } from './evaluate';
import { statusesOf, statusKey } from './memory-status-store';
import type { MonitorStatus } from './state';
import type { MonitorStateBoard } from './transition-report';

export function memoryStateBoard(): MonitorStateBoard {
  const statuses = new Map<string, MonitorStatus>();
  const histories = new Map<string, Map<number, HistoryEntry>>();
  const key = statusKey;
  return {
    async record(report) {
      const at = key(report.project_id, report.monitor_id);
      const history = histories.get(at) ?? new Map<number, HistoryEntry>();
      history.set(report.change.at, structuredClone(report.change));
      histories.set(at, history);
      const stored = statuses.get(at);
      if (!stored || stored.since <= report.status.since) statuses.set(at, structuredClone(report.status));
    },
    async load(projectId, monitorIds) {
      return statusesOf(statuses, projectId, monitorIds);
    },
    async history(projectId, monitorId, limit) {
      const entries = [...(histories.get(key(projectId, monitorId))?.values() ?? [])];
      return entries.sort((a, b) => b.at - a.at).slice(0, limit);
    },
  };
}
