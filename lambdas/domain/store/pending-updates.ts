/**
 * Updates that arrive before their event. The queue does not keep an update behind its event (they
 * may come in different messages, batches or retries), so an update whose event is not stored yet
 * is kept as pending instead of being retried: the writer folds pending updates into an event when
 * it writes that event, and reads merge the ones the writer has not folded yet (a race, or a
 * failed write that is being retried). Pending updates are kept until folded, with no expiry: an
 * event may arrive days later (a dead-letter or raw-archive replay) and must still get them.
 */
import { createHash } from 'node:crypto';
import type { Tenant, WaggleEvent, WaggleEventUpdate } from '../events/event';
import { applyUpdate } from './apply-update';

/** Reads pending updates: what the read path needs. */
export interface PendingUpdateReader {
  /**
   * The pending updates of these events of one tenant, each list in applying order (version, then
   * arrival); events with none are left out.
   */
  forEvents(tenant: Tenant, eventIds: readonly string[]): Promise<Map<string, WaggleEventUpdate[]>>;
}

export interface PendingUpdateStore extends PendingUpdateReader {
  /** Keeps an update whose event is not stored yet. The same update kept twice is kept once. */
  add(update: WaggleEventUpdate): Promise<void>;
  /** Forgets updates once an event version holding them is stored. */
  remove(updates: readonly WaggleEventUpdate[]): Promise<void>;
}

/** Identifies one update among its event's pending updates: its version, then a digest of it. */
export function pendingUpdateId(update: WaggleEventUpdate): string {
  const digest = createHash('sha256').update(JSON.stringify(update)).digest('hex').slice(0, 24);
  return `${String(update.version).padStart(16, '0')}-${digest}`;
}

/** The order pending updates are applied in: by version, then by arrival, then by id (deterministic). */
export function inApplyingOrder(updates: readonly WaggleEventUpdate[]): WaggleEventUpdate[] {
  return [...updates].sort(
    (a, b) =>
      a.version - b.version ||
      a.ingested_at - b.ingested_at ||
      pendingUpdateId(a).localeCompare(pendingUpdateId(b)),
  );
}

/** The event with its pending updates applied in order. */
export function applyPending(event: WaggleEvent, updates: readonly WaggleEventUpdate[]): WaggleEvent {
  return inApplyingOrder(updates).reduce(applyUpdate, event);
}

/** In memory: tests and single-process tools. */
export class MemoryPendingUpdates implements PendingUpdateStore {
  private readonly byEvent = new Map<string, Map<string, WaggleEventUpdate>>();

  async add(update: WaggleEventUpdate): Promise<void> {
    const key = eventKey(update, update.event_id);
    const updates = this.byEvent.get(key) ?? new Map<string, WaggleEventUpdate>();
    updates.set(pendingUpdateId(update), structuredClone(update));
    this.byEvent.set(key, updates);
  }

  async forEvents(tenant: Tenant, eventIds: readonly string[]): Promise<Map<string, WaggleEventUpdate[]>> {
    const found = new Map<string, WaggleEventUpdate[]>();
    for (const eventId of eventIds) {
      const updates = this.byEvent.get(eventKey(tenant, eventId));
      if (updates && updates.size > 0) found.set(eventId, inApplyingOrder([...updates.values()]));
    }
    return found;
  }

  async remove(updates: readonly WaggleEventUpdate[]): Promise<void> {
    for (const update of updates) {
      const key = eventKey(update, update.event_id);
      this.byEvent.get(key)?.delete(pendingUpdateId(update));
      if (this.byEvent.get(key)?.size === 0) this.byEvent.delete(key);
    }
  }

  /** How many updates are pending, over all events. */
  get size(): number {
    let count = 0;
    for (const updates of this.byEvent.values()) count += updates.size;
    return count;
  }
}

function eventKey(tenant: Tenant, eventId: string): string {
  return [tenant.org_id, tenant.workspace_id, tenant.project_id, eventId].join('\u0000');
}
