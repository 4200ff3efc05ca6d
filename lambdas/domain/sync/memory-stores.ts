/** In-memory ConfigStore and AppliedStateStore (tests and the local platform; reconciliation refills them after a restart). */
import type { InventoryEntry } from './digest';
import type { ConfigKind, EntityKind } from './messages';
import type { AppliedEntity, AppliedStateStore, ConfigEntry, ConfigStore } from './stores';

// One Map per kind with ids as Map keys: an id such as "__proto__" is just a string here.
function slot<V>(maps: Map<string, Map<string, V>>, kind: string): Map<string, V> {
  let map = maps.get(kind);
  if (!map) {
    map = new Map();
    maps.set(kind, map);
  }
  return map;
}

export class MemoryConfigStore implements ConfigStore {
  private readonly entries = new Map<string, Map<string, ConfigEntry>>();

  async get(kind: ConfigKind, entityId: string): Promise<ConfigEntry | undefined> {
    return structuredClone(this.entries.get(kind)?.get(entityId));
  }

  async put(kind: ConfigKind, entityId: string, entry: ConfigEntry): Promise<void> {
    slot(this.entries, kind).set(entityId, structuredClone(entry));
  }

  async list(kind: ConfigKind): Promise<Array<{ entityId: string } & ConfigEntry>> {
    return [...(this.entries.get(kind) ?? new Map<string, ConfigEntry>())]
      .filter(([, entry]) => !entry.deleted)
      .map(([entityId, entry]) => ({ entityId, ...structuredClone(entry) }));
  }

  /** Everything, tombstones included, as plain data (tests compare snapshots). */
  snapshot(): Record<string, Record<string, ConfigEntry>> {
    const result: Record<string, Record<string, ConfigEntry>> = {};
    for (const [kind, map] of [...this.entries].sort(([a], [b]) => a.localeCompare(b))) {
      result[kind] = Object.fromEntries(
        [...map].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, e]) => [id, structuredClone(e)]),
      );
    }
    return result;
  }
}

export class MemoryAppliedState implements AppliedStateStore {
  private readonly entities = new Map<string, Map<string, AppliedEntity>>();
  private seq = 0;
  private lag = 0;

  async get(kind: EntityKind, entityId: string): Promise<AppliedEntity | undefined> {
    const entity = this.entities.get(kind)?.get(entityId);
    return entity && { ...entity };
  }

  async put(kind: EntityKind, entityId: string, entity: AppliedEntity): Promise<void> {
    slot(this.entities, kind).set(entityId, { ...entity });
  }

  async inventory(): Promise<InventoryEntry[]> {
    const result: InventoryEntry[] = [];
    for (const [kind, map] of this.entities) {
      for (const [entityId, entity] of map)
        result.push({ kind: kind as EntityKind, entityId, entityVersion: entity.entityVersion });
    }
    return result;
  }

  async appliedSeq(): Promise<number> {
    return this.seq;
  }

  async raiseAppliedSeq(seq: number): Promise<void> {
    this.seq = Math.max(this.seq, seq);
  }

  async recordLag(lagMs: number): Promise<void> {
    this.lag = lagMs;
  }

  async lastLagMs(): Promise<number> {
    return this.lag;
  }
}
