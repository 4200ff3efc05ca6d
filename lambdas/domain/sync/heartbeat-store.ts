/**
 * Where the control plane keeps what data planes report: the latest heartbeat of each data plane
 * (newest `sentAt` wins, an older or replayed one is ignored) and its latest registration. The
 * scheduled reconciliation reads the digest from here (reportedStateOf).
 */
import type { Heartbeat } from './heartbeat';
import type { ReportedState } from './publisher';
import type { DataPlaneReport, Registration } from './registration';

export interface HeartbeatStore {
  /** Stores the report if it is newer than the stored one; true when stored. A registration is kept apart too. */
  record(report: DataPlaneReport): Promise<boolean>;
  /** The newest report (heartbeat or registration) of the data plane. */
  latest(dataPlaneId: string): Promise<DataPlaneReport | undefined>;
  registration(dataPlaneId: string): Promise<Registration | undefined>;
}

/** What the reconciliation compares with the desired state: the reported digest. */
export function reportedStateOf(report: Heartbeat | DataPlaneReport | undefined): ReportedState | undefined {
  return report ? { digest: { ...report.digest } } : undefined;
}

/** In-memory HeartbeatStore (tests, the local platform). */
export class MemoryHeartbeatStore implements HeartbeatStore {
  private readonly reports = new Map<string, DataPlaneReport>();
  private readonly registrations = new Map<string, Registration>();

  async record(report: DataPlaneReport): Promise<boolean> {
    if (report.type === 'registration') {
      const current = this.registrations.get(report.dataPlaneId);
      if (!current || current.sentAt < report.sentAt) this.registrations.set(report.dataPlaneId, report);
    }
    const current = this.reports.get(report.dataPlaneId);
    if (current && current.sentAt >= report.sentAt) return false;
    this.reports.set(report.dataPlaneId, structuredClone(report));
    return true;
  }

  async latest(dataPlaneId: string): Promise<DataPlaneReport | undefined> {
    const report = this.reports.get(dataPlaneId);
    return report && structuredClone(report);
  }

  async registration(dataPlaneId: string): Promise<Registration | undefined> {
    const report = this.registrations.get(dataPlaneId);
    return report && structuredClone(report);
  }
}
