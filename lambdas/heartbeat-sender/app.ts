/**
 * The data plane's heartbeat sender: builds a heartbeat (or, at deploy time, a registration) from
 * health figures and the applied-state digest, and sends it to this data plane's heartbeat queue in
 * the control plane. Only counts, the digest and the plane's location leave: the builders copy the
 * known fields, so no event content can ride along. No AWS imports.
 */

import { digest } from '../domain/sync/digest';
import { buildHeartbeat } from '../domain/sync/heartbeat';
import {
  buildRegistration,
  type DataPlaneReport,
  type RegistrationFields,
} from '../domain/sync/registration';
import type { AppliedStateStore } from '../domain/sync/stores';

export interface HealthFigures {
  /** Messages waiting in the events queue. */
  queueDepth: number;
  /** Messages on the dead-letter queues (failures not yet handled). */
  errors: number;
  /** How far behind the control plane the applied config is, in ms (0 when unknown). */
  lagMs: number;
}

export interface HeartbeatSenderDeps {
  dataPlaneId: string;
  location: RegistrationFields;
  appliedState: Pick<AppliedStateStore, 'inventory' | 'appliedSeq'>;
  health(): Promise<HealthFigures>;
  /** Sends one body to the control plane's heartbeat queue for this data plane. */
  send(body: string): Promise<void>;
  clock?: () => number;
}

export type ReportKind = 'heartbeat' | 'registration';

export function createHeartbeatSender(
  deps: HeartbeatSenderDeps,
): (kind: ReportKind) => Promise<DataPlaneReport> {
  const clock = deps.clock ?? Date.now;
  return async (kind) => {
    const [inventory, appliedSeq, health] = await Promise.all([
      deps.appliedState.inventory(),
      deps.appliedState.appliedSeq(),
      deps.health(),
    ]);
    const figures = {
      dataPlaneId: deps.dataPlaneId,
      queueDepth: clampCount(health.queueDepth),
      errors: clampCount(health.errors),
      lagMs: clampCount(health.lagMs),
      appliedSeq,
      digest: digest(inventory),
    };
    const report =
      kind === 'registration'
        ? buildRegistration({ ...figures, ...deps.location }, clock())
        : buildHeartbeat(figures, clock());
    await deps.send(JSON.stringify(report));
    return report;
  };
}

/** Which report an invocation sends: the schedule passes { kind: 'heartbeat' }; anything else (the deploy-time trigger) registers. */
export function reportKindOf(event: unknown): ReportKind {
  return typeof event === 'object' && event !== null && (event as { kind?: unknown }).kind === 'heartbeat'
    ? 'heartbeat'
    : 'registration';
}

function clampCount(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}
