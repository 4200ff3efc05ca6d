/**
 * The writer's second step, once a batch's files are stored: keep the updates that found no event
 * as pending, then fold pending updates into the events that now exist.
 *
 * The events checked are every event the batch stored and the event of every update it kept. The
 * second half closes a race: another writer may have stored the event between this batch's lookup
 * and its keeping the update. Each side writes first and looks second (the event file, then the
 * pending store; the pending update, then the event lookup), so at least one of them sees the other.
 * Both may: folding the same update twice gives the same content again (a newer version, no loss).
 *
 * A failure that a retry can mend (keeping, finding, looking up, storing) fails the messages
 * involved; their retry writes the same rows again and settles again. A folded event that cannot be
 * stored (its values do not fit the columns) stays pending: reads still merge it.
 */
import type { Tenant, WaggleEvent, WaggleEventUpdate } from '../events/event';
import type { ObjectStore } from '../ports';
import { runWithConcurrency } from '../run-with-concurrency';
import { enrichEvent } from './enrich-event';
import { withFullSections } from './full-sections';
import { applyPending, type PendingUpdateStore } from './pending-updates';
import { rowProblems } from './storable-values';
import type { LookupLatest } from './write-batch';

export interface WrittenEvent {
  event: WaggleEvent;
  messageId: string;
}

export interface WaitingUpdate {
  update: WaggleEventUpdate;
  messageId: string;
}

export interface SettleDeps {
  pending: PendingUpdateStore;
  lookupLatest: LookupLatest;
  /** Where payloads of stored events are (a looked-up base needs its full sections). */
  payloads: ObjectStore;
  /** Stores folded events as new versions: those stored and in how many files (the rest failed their messages). */
  storeEvents(events: WrittenEvent[]): Promise<{ stored: WrittenEvent[]; files: number }>;
  /** A retry can mend it: the messages are retried. */
  fail(messageIds: string[], error: unknown): void;
  /** Nothing to retry, nothing lost (the update stays pending): told for logging. */
  onProblem(messageIds: string[], error: unknown): void;
  concurrency: number;
}

export interface SettleResult {
  kept: number;
  applied: number;
  written: { files: number; events: number };
}

interface Candidate {
  tenant: Tenant;
  eventId: string;
  /** The newest version this batch stored, if it stored one. */
  base?: WaggleEvent;
  messageIds: Set<string>;
}

export async function settlePending(
  written: readonly WrittenEvent[],
  waiting: readonly WaitingUpdate[],
  deps: SettleDeps,
): Promise<SettleResult> {
  const kept = await keep(waiting, deps);
  const candidates = new Map<string, Candidate>();
  const candidate = (tenant: Tenant, eventId: string, messageId: string) => {
    const key = eventKey(tenant, eventId);
    const entry = candidates.get(key) ?? { tenant: tenantOf(tenant), eventId, messageIds: new Set() };
    entry.messageIds.add(messageId);
    candidates.set(key, entry);
    return entry;
  };
  for (const { event, messageId } of written) {
    const entry = candidate(event, event.event_id, messageId);
    if (!entry.base || event.version >= entry.base.version) entry.base = event;
  }
  for (const { update, messageId } of kept) candidate(update, update.event_id, messageId);

  const folded: WrittenEvent[] = [];
  const foldedUpdates = new Map<WaggleEvent, WaggleEventUpdate[]>();
  for (const group of byTenant(candidates.values())) {
    const found = await findPending(group, deps);
    if (!found) continue;
    const bases = await baseVersions(
      group.filter((entry) => found.has(entry.eventId)),
      deps,
    );
    for (const [entry, base] of bases) {
      const updates = found.get(entry.eventId) as WaggleEventUpdate[];
      const messageIds = [...entry.messageIds];
      const event = enrichEvent(applyPending(base, updates));
      const problems = rowProblems(event);
      if (problems.length > 0) {
        deps.onProblem(
          messageIds,
          new Error(
            `event ${event.event_id} with its pending updates cannot be stored: ${problems.join('; ')}`,
          ),
        );
        continue;
      }
      folded.push({ event, messageId: messageIds[0] as string });
      foldedUpdates.set(event, updates);
    }
  }
  const { stored, files } = folded.length > 0 ? await deps.storeEvents(folded) : { stored: [], files: 0 };
  const applied = stored.flatMap(({ event }) => foldedUpdates.get(event) ?? []);
  if (applied.length > 0) {
    // Forgetting is tidying: an update left pending is folded again later, to the same content.
    await deps.pending.remove(applied).catch((error: unknown) => deps.onProblem([], error));
  }
  return {
    kept: kept.length,
    applied: applied.length,
    written: { files, events: stored.length },
  };
}

/** Keeps each waiting update; those that could not be kept fail their messages. */
async function keep(waiting: readonly WaitingUpdate[], deps: SettleDeps): Promise<WaitingUpdate[]> {
  const kept: WaitingUpdate[] = [];
  await runWithConcurrency([...waiting], deps.concurrency, async (entry) => {
    try {
      await deps.pending.add(entry.update);
      kept.push(entry);
    } catch (error) {
      deps.fail([entry.messageId], error);
    }
  });
  return kept;
}

async function findPending(
  group: Candidate[],
  deps: SettleDeps,
): Promise<Map<string, WaggleEventUpdate[]> | undefined> {
  const { tenant } = group[0] as Candidate;
  try {
    return await deps.pending.forEvents(
      tenant,
      group.map((entry) => entry.eventId),
    );
  } catch (error) {
    deps.fail(
      group.flatMap((entry) => [...entry.messageIds]),
      error,
    );
    return undefined;
  }
}

/** The version to fold into: the batch's own, else the stored one (none: the update keeps waiting). */
async function baseVersions(group: Candidate[], deps: SettleDeps): Promise<Map<Candidate, WaggleEvent>> {
  const bases = new Map<Candidate, WaggleEvent>();
  const toLookUp: Candidate[] = [];
  for (const entry of group) {
    if (entry.base) bases.set(entry, entry.base);
    else toLookUp.push(entry);
  }
  if (toLookUp.length === 0) return bases;
  try {
    const found = await deps.lookupLatest(
      (toLookUp[0] as Candidate).tenant,
      toLookUp.map((entry) => entry.eventId),
    );
    for (const entry of toLookUp) {
      const stored = found.get(entry.eventId);
      if (stored) bases.set(entry, await withFullSections(deps.payloads, stored));
    }
  } catch (error) {
    deps.fail(
      toLookUp.flatMap((entry) => [...entry.messageIds]),
      error,
    );
  }
  return bases;
}

function byTenant(candidates: Iterable<Candidate>): Candidate[][] {
  const groups = new Map<string, Candidate[]>();
  for (const entry of candidates) {
    const key = eventKey(entry.tenant, '');
    const group = groups.get(key) ?? [];
    group.push(entry);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function eventKey(tenant: Tenant, eventId: string): string {
  return [tenant.org_id, tenant.workspace_id, tenant.project_id, eventId].join('\u0000');
}

function tenantOf(tenant: Tenant): Tenant {
  return { org_id: tenant.org_id, workspace_id: tenant.workspace_id, project_id: tenant.project_id };
}
