/**
 * Data-plane side of the sync: opens an inbox body (signature, addressee, age) and applies it
 * idempotently in entity-version order. For each entity only a newer version changes anything, so
 * replays, duplicates and late older versions are no-ops and any delivery order converges.
 * One exception, to fail closed: a revocation always revokes (even if older than the version held)
 * and no upsert ever un-revokes a key; keys are rotated, never revived.
 */
import type { ApiKeyRecord } from '../auth/principal';
import type { KeyRegistry } from '../ports';
import { type Digest, digest, type InventoryEntry } from './digest';
import { type ApiKeyPayload, type ConfigKind, entityKindOf, type SyncMessage } from './messages';
import { type MessageVerifier, openSignedSyncMessage, type RejectReason } from './signing';
import type { AppliedStateStore, ConfigStore } from './stores';

export interface SyncControllerDeps {
  dataPlaneId: string;
  verifier: MessageVerifier;
  keyRegistry: KeyRegistry;
  configStore: ConfigStore;
  appliedState: AppliedStateStore;
  clock?: () => number;
  maxAgeMs?: number;
  maxSkewMs?: number;
}

/** applied: state changed; stale: this version (or a newer one) was already applied; kept-revoked: an upsert for a revoked key. */
export type ApplyStatus = 'applied' | 'stale' | 'kept-revoked';

type HandleResult =
  | { status: ApplyStatus; message: SyncMessage }
  | { status: 'rejected'; reason: RejectReason; detail: string };

interface SyncStats {
  applied: number;
  stale: number;
  keptRevoked: number;
  rejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
}

export interface SyncController {
  /** Opens and applies one inbox body. Throws only on store or verifier outages (the caller retries). */
  handle(body: string): Promise<HandleResult>;
  stats(): SyncStats;
  inventory(): Promise<InventoryEntry[]>;
  digest(): Promise<Digest>;
}

export function createSyncController(deps: SyncControllerDeps): SyncController {
  const clock = deps.clock ?? Date.now;
  const stats: SyncStats = {
    applied: 0,
    stale: 0,
    keptRevoked: 0,
    rejected: 0,
    rejectedByReason: {},
  };
  // Check-then-write per entity must not interleave, or an older version could overwrite a newer
  // one; within a process messages go one at a time (across processes: the inbox is a FIFO queue
  // with one message group, so SQS hands out one batch at a time).
  let tail: Promise<unknown> = Promise.resolve();

  async function handleNow(body: string): Promise<HandleResult> {
    const now = clock();
    const opened = await openSignedSyncMessage(body, {
      verifier: deps.verifier,
      dataPlaneId: deps.dataPlaneId,
      now,
      maxAgeMs: deps.maxAgeMs,
      maxSkewMs: deps.maxSkewMs,
    });
    if (!opened.ok) {
      stats.rejected++;
      stats.rejectedByReason[opened.reason] = (stats.rejectedByReason[opened.reason] ?? 0) + 1;
      return { status: 'rejected', reason: opened.reason, detail: opened.detail };
    }
    const message = opened.message;
    const status = await apply(message);
    // After the apply: a crash before this line only means the message is applied again (a no-op).
    await deps.appliedState.raiseAppliedSeq(message.seq);
    // How far behind the control plane this plane is, for the heartbeat (sent by another function).
    await deps.appliedState.recordLag(Math.max(0, now - message.issuedAt));
    if (status === 'applied') stats.applied++;
    else if (status === 'stale') stats.stale++;
    else stats.keptRevoked++;
    return { status, message };
  }

  async function apply(message: SyncMessage): Promise<ApplyStatus> {
    const kind = entityKindOf(message.kind);
    const current = await deps.appliedState.get(kind, message.entityId);
    if (message.kind === 'api-key.revoked') {
      if (current?.status === 'revoked' && message.entityVersion <= current.entityVersion) return 'stale';
      await deps.keyRegistry.put(apiKeyRecord(message.payload as unknown as ApiKeyPayload, true));
      await deps.appliedState.put(kind, message.entityId, {
        entityVersion: Math.max(message.entityVersion, current?.entityVersion ?? 0),
        status: 'revoked',
      });
      return 'applied';
    }
    if (current?.status === 'revoked') return 'kept-revoked';
    if (current && message.entityVersion <= current.entityVersion) return 'stale';
    const deleted = message.kind.endsWith('.deleted');
    // The target is written before the version is recorded: a crash in between re-applies, never skips.
    if (kind === 'api-key') {
      const payload = message.payload as unknown as ApiKeyPayload;
      // The authenticator refuses a key past its expiresAt; one already past it is also stored
      // revoked, so a registry reader that ignores the expiry still fails closed.
      const expired = payload.expiresAt !== undefined && payload.expiresAt <= clock();
      await deps.keyRegistry.put(apiKeyRecord(payload, expired));
    } else
      await deps.configStore.put(kind as ConfigKind, message.entityId, {
        version: message.entityVersion,
        deleted,
        payload: message.payload,
      });
    await deps.appliedState.put(kind, message.entityId, {
      entityVersion: message.entityVersion,
      status: deleted ? 'deleted' : 'active',
    });
    return 'applied';
  }

  return {
    handle(body) {
      const result = tail.then(() => handleNow(body));
      tail = result.catch(() => undefined);
      return result;
    },
    stats: () => structuredClone(stats),
    inventory: () => deps.appliedState.inventory(),
    async digest() {
      return digest(await deps.appliedState.inventory());
    },
  };
}

function apiKeyRecord(payload: ApiKeyPayload, revoked: boolean): ApiKeyRecord {
  return {
    keyHash: payload.keyHash,
    org_id: payload.org_id,
    workspace_id: payload.workspace_id,
    project_id: payload.project_id,
    projectName: payload.projectName,
    scopes: [...payload.scopes],
    revoked,
    createdAt: payload.createdAt,
    ...(payload.expiresAt !== undefined && { expiresAt: payload.expiresAt }),
  };
}
