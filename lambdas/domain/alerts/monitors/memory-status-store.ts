/** Monitor states in memory: tests, and the reference the DynamoDB store is tested against. */
import type { HistoryEntry, MonitorStatusStore } from './evaluate';
import type { MonitorStatus } from './state';

export function memoryStatusStore(): MonitorStatusStore & { saves: number } {
  const statuses = new Map<string, MonitorStatus>();
  const histories = new Map<string, HistoryEntry[]>();
  const key = (projectId: string, monitorId: string) => `${projectId}\n${monitorId}`;
  return {
    saves: 0,
    async load(projectId, monitorIds) {
      const found = new Map<string, MonitorStatus>();
      for (const id of monitorIds) {
        const status = statuses.get(key(projectId, id));
        if (status) found.set(id, structuredClone(status));
      }
      return found;
    },
    async save(projectId, monitorId, status, change) {
      this.saves++;
      statuses.set(key(projectId, monitorId), structuredClone(status));
      if (change)
        histories.set(key(projectId, monitorId), [
          ...(histories.get(key(projectId, monitorId)) ?? []),
          change,
        ]);
    },
    async history(projectId, monitorId, limit) {
      return (histories.get(key(projectId, monitorId)) ?? []).slice(-limit).reverse();
    },
  };
}
