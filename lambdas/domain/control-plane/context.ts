/** What the control-plane operations need: the store, the change publisher, a clock and ids. */
import { randomUUID } from 'node:crypto';
import type { ChangePublisher } from './changes';
import type { ControlPlaneStore } from './store';

export interface ControlPlaneContext {
  store: ControlPlaneStore;
  changes: ChangePublisher;
  /** Epoch milliseconds. */
  clock: () => number;
  newId: () => string;
}

export function controlPlaneContext(deps: {
  store: ControlPlaneStore;
  changes: ChangePublisher;
  clock?: () => number;
  newId?: () => string;
}): ControlPlaneContext {
  return { clock: Date.now, newId: randomUUID, ...deps };
}

export function isoNow(context: ControlPlaneContext): string {
  return new Date(context.clock()).toISOString();
}
