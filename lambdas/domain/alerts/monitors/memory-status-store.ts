/** Monitor states in memory: tests, and the reference the DynamoDB store is tested against. */
import type { HistoryEntry, MonitorStatusStore } from './evaluate';
import type { MonitorStatus } from './state';

export function memoryStatusStore(): MonitorStatusStore & { saves: number } {
  const statuses = new Map<string, MonitorStatus>();
  const histories = new Map<string, HistoryEntry[]>();
  const key = statusKey;
  return {
    saves: 0,
    async load(projectId, monitorIds) {
      return statusesOf(statuses, projectId, monitorIds);
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

/** The key of a monitor's status in the memory stores. */
export const statusKey = (projectId: string, monitorId: string) => `${projectId}\n${monitorId}`;

/** Copies of the statuses of these monitors of a project that a memory store holds. */
export function statusesOf(
  statuses: ReadonlyMap<string, MonitorStatus>,
  projectId: string,
  monitorIds: readonly string[],
): Map<string, MonitorStatus> {
  const found = new Map<string, MonitorStatus>();
  for (const id of monitorIds) {
    const status = statuses.get(statusKey(projectId, id));
    if (status) found.set(id, structuredClone(status));
  }
  return found;
}
