/**
 * Telling drift from changes still on their way. A heartbeat carries one digest per entity kind, so
 * when a kind differs, reconciliation republishes every entity of it. Whether that repaired real
 * drift depends on what the data plane held when it reported: if its digest is what everything made
 * well before the report gives, plus any mix of the changes made just before it (each not yet
 * applied, applied at its previous version, or applied), nothing was missing; only a change still on
 * its way made the kind differ.
 */
import { digest, type InventoryEntry } from './digest';
import { type EntityKind, entityKindOf } from './messages';
import { desiredInventory, type EntityChange } from './publisher';

/** More changes of one kind than this in flight at once: too many mixes to try; not called drift. */
const MAX_IN_FLIGHT_TRIED = 6;

export interface DriftCheck {
  /** What reconciliation republished. */
  toRepublish: readonly EntityChange[];
  /** Everything the data plane should hold. */
  desired: readonly EntityChange[];
  /** When each entity last changed (epoch ms), by entity id. */
  changedAt: ReadonlyMap<string, number>;
  /** The heartbeat reconciliation compared with. */
  reported: { sentAt: number; digest: Partial<Record<EntityKind, string>> };
  /** A change made less than this before the report may still be on its way. */
  inFlightMs: number;
}

/** How many republished changes the data plane really lacked (made well before its report). */
export function lackedBeforeReport(check: DriftCheck): number {
  const { toRepublish, changedAt, reported, inFlightMs } = check;
  const isFresh = (entityId: string) => (changedAt.get(entityId) ?? 0) >= reported.sentAt - inFlightMs;
  const inventory = desiredInventory(check.desired);
  let lacked = 0;
  for (const kind of new Set(toRepublish.map((change) => entityKindOf(change.kind)))) {
    const old = toRepublish.filter(
      (change) => entityKindOf(change.kind) === kind && !isFresh(change.entityId),
    );
    if (old.length === 0) continue;
    const ofKind = inventory.filter((entry) => entry.kind === kind);
    const settled = ofKind.filter((entry) => !isFresh(entry.entityId));
    const fresh = ofKind.filter((entry) => isFresh(entry.entityId));
    if (fresh.length > MAX_IN_FLIGHT_TRIED) continue;
    if (!explainedByChangesInFlight(kind, settled, fresh, reported.digest[kind])) lacked += old.length;
  }
  return lacked;
}

function explainedByChangesInFlight(
  kind: EntityKind,
  settled: readonly InventoryEntry[],
  fresh: readonly InventoryEntry[],
  reportedDigest: string | undefined,
): boolean {
  if (fresh.length === 0 || reportedDigest === undefined) return false;
  const held: InventoryEntry[] = [...settled];
  const tryFrom = (index: number): boolean => {
    if (index === fresh.length) return digest(held)[kind] === reportedDigest;
    const entry = fresh[index] as InventoryEntry;
    // Not applied yet.
    if (tryFrom(index + 1)) return true;
    const versions =
      entry.entityVersion > 1 ? [entry.entityVersion, entry.entityVersion - 1] : [entry.entityVersion];
    for (const entityVersion of versions) {
      held.push({ ...entry, entityVersion });
      const found = tryFrom(index + 1);
      held.pop();
      if (found) return true;
    }
    return false;
  };
  return tryFrom(0);
}
