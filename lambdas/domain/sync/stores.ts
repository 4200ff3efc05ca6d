/**
 * The data plane's stores for synced state. The KeyRegistry (lambdas/domain/ports.ts) holds API
 * keys; the ConfigStore holds projects, evaluators, prompts and alerts; the AppliedStateStore
 * remembers which version of every entity was applied, which is what makes replays and late
 * messages no-ops and what the reconciliation digest is computed from.
 */
import type { JsonObject } from './canonical-json';
import type { InventoryEntry } from './digest';
import type { ConfigKind, EntityKind } from './messages';

export interface ConfigEntry {
  version: number;
  /** A deleted entity stays as a tombstone so that an older upsert arriving late cannot revive it. */
  deleted: boolean;
  payload: JsonObject;
}

export interface ConfigStore {
  get(kind: ConfigKind, entityId: string): Promise<ConfigEntry | undefined>;
  put(kind: ConfigKind, entityId: string, entry: ConfigEntry): Promise<void>;
  /** Live (not deleted) entities of a kind, for the data plane's readers. */
  list(kind: ConfigKind): Promise<Array<{ entityId: string } & ConfigEntry>>;
}

export type EntityStatus = 'active' | 'deleted' | 'revoked';

export interface AppliedEntity {
  entityVersion: number;
  status: EntityStatus;
}

export interface AppliedStateStore {
  get(kind: EntityKind, entityId: string): Promise<AppliedEntity | undefined>;
  put(kind: EntityKind, entityId: string, entity: AppliedEntity): Promise<void>;
  inventory(): Promise<InventoryEntry[]>;
  /** Highest seq applied so far (0 before any), reported in heartbeats. */
  appliedSeq(): Promise<number>;
  /** Raises the applied seq to seq if it is higher; never lowers it. */
  raiseAppliedSeq(seq: number): Promise<void>;
  /**
   * Records how far behind the control plane the last verified message was (now - issuedAt), so
   * that the heartbeat, sent by another function, can report it.
   */
  recordLag(lagMs: number): Promise<void>;
  /** The last recorded lag in ms (0 before any message). */
  lastLagMs(): Promise<number>;
}
