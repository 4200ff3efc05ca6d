/**
 * The data plane's heartbeat sender: builds a heartbeat (or, until one got through, a registration) from
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

interface HealthFigures {
  /** Messages waiting in the events queue. */
  queueDepth: number;
  /** Messages on the dead-letter queues (failures not yet handled). */
  errors: number;
  /** How far behind the control plane the applied config is, in ms (0 when unknown). */
  lagMs: number;
}

interface HeartbeatSenderDeps {
  dataPlaneId: string;
  location: RegistrationFields;
  appliedState: Pick<AppliedStateStore, 'inventory' | 'appliedSeq'>;
  health(): Promise<HealthFigures>;
  /** Sends one body to the control plane's heartbeat queue for this data plane. */
  send(body: string): Promise<void>;
  clock?: () => number;
}

type ReportKind = 'heartbeat' | 'registration';

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

/** Whether this data plane's registration has reached the control plane (as far as this sender knows). */
type RegistrationStatus = 'registered' | 'unregistered';

interface ScheduledRunOutcome {
  registration: RegistrationStatus;
  /** The report that went out; absent when the registration could not be sent. */
  sent?: DataPlaneReport;
  /** Why the registration could not be sent (the control plane missing, or not listing this data plane). */
  error?: unknown;
}

/**
 * What each scheduled run does, so that a data plane never depends on its control plane to deploy
 * or to run: until a registration has been accepted by the control plane's heartbeat queue, every
 * run tries to register instead of sending a heartbeat, and a failure is an outcome
 * ('unregistered', with the error), not an exception. Once registered, runs send heartbeats; a
 * heartbeat that fails is thrown (a visible error) and the next run registers again, since the
 * control plane may have been rebuilt. The state lives in the sender instance: a new instance (every
 * deploy, every cold start) registers once more, which refreshes the location after a deploy as the
 * deploy-time trigger used to; registrations are idempotent for the control plane.
 */
export function createScheduledReporter(
  send: (kind: ReportKind) => Promise<DataPlaneReport>,
): (event: unknown) => Promise<ScheduledRunOutcome> {
  let registered = false;
  return async (event) => {
    if (!registered || reportKindOf(event) === 'registration') {
      try {
        const sent = await send('registration');
        registered = true;
        return { registration: 'registered', sent };
      } catch (error) {
        registered = false;
        return { registration: 'unregistered', error };
      }
    }
    try {
      return { registration: 'registered', sent: await send('heartbeat') };
    } catch (error) {
      registered = false;
      throw error;
    }
  };
}

/** Which report an invocation asks for: the schedule passes { kind: 'heartbeat' }; anything else (an operator's manual invoke) registers. */
export function reportKindOf(event: unknown): ReportKind {
  return typeof event === 'object' && event !== null && (event as { kind?: unknown }).kind === 'heartbeat'
    ? 'heartbeat'
    : 'registration';
}

function clampCount(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}
