/**
 * Digests of what a data plane holds: per entity kind, the SHA-256 of the sorted
 * `entityId:entityVersion` lines. Equal digests mean equal versions of every entity of that kind,
 * so the control plane can check a data plane from its heartbeat without shipping the inventory.
 */
import { createHash } from 'node:crypto';
import { ENTITY_KINDS, type EntityKind } from './messages';

export interface InventoryEntry {
  kind: EntityKind;
  entityId: string;
  entityVersion: number;
}

export type Digest = Record<EntityKind, string>;

export function digest(entries: Iterable<InventoryEntry>): Digest {
  const lines = new Map<EntityKind, string[]>(ENTITY_KINDS.map((kind) => [kind, []]));
  for (const entry of entries) lines.get(entry.kind)?.push(`${entry.entityId}:${entry.entityVersion}\n`);
  const result = {} as Digest;
  for (const kind of ENTITY_KINDS) {
    // Sorting makes the digest independent of the order the store lists entities in.
    const sorted = (lines.get(kind) ?? []).sort();
    result[kind] = createHash('sha256').update(sorted.join(''), 'utf8').digest('hex');
  }
  return result;
}

/** The kinds whose digests differ (a kind missing from either side counts as differing). */
export function differingKinds(expected: Digest, reported: Partial<Digest>): EntityKind[] {
  return ENTITY_KINDS.filter((kind) => expected[kind] !== reported[kind]);
}
