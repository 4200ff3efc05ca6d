/**
 * Control-plane side of the sync: turns entity changes into signed messages for one data plane
 * (next seq, sign, send to its inbox) and repairs drift by comparing what a data plane reports
 * (digest, and inventory when it has one) with what it should hold, republishing the difference.
 * Republishing is always safe: the data plane ignores versions it already has. Inboxes are FIFO
 * queues: every message goes to the data plane's one message group, deduplicated by its seq.
 */
import type { MessageQueue, QueueMessage } from '../ports';
import { SQS_MAX_BATCH_BYTES, SQS_MAX_BATCH_ENTRIES } from '../queue-limits';
import type { JsonObject } from './canonical-json';
import { type Digest, differingKinds, digest, type InventoryEntry } from './digest';
import {
  type EntityKind,
  entityKindOf,
  type SignedSyncMessage,
  SYNC_MESSAGE_VERSION,
  type SyncKind,
  SyncMessageError,
} from './messages';
import { type MessageSigner, signSyncMessage } from './signing';

/** One entity's change; for reconciliation, the latest change of each entity is its desired state. */
export interface EntityChange {
  kind: SyncKind;
  entityId: string;
  entityVersion: number;
  payload: JsonObject;
}

/** Hands out seqs per data plane; must never hand out the same one twice (DynamoDB: an atomic ADD). */
export interface SequenceStore {
  next(dataPlaneId: string): Promise<number>;
}

interface SyncPublisherDeps {
  signer: MessageSigner;
  sequences: SequenceStore;
  /** The inbox of a registered data plane; undefined for an unknown one. */
  inboxFor(dataPlaneId: string): MessageQueue | undefined;
  clock?: () => number;
}

/** What a data plane reported in its heartbeat; the inventory is optional (the digest alone suffices). */
export interface ReportedState {
  digest: Partial<Digest>;
  inventory?: readonly InventoryEntry[];
}

export interface ReconciliationPlan {
  differingKinds: EntityKind[];
  /** Changes the data plane lacks or holds an older version of. */
  toRepublish: EntityChange[];
  /** Entities the data plane holds at a version the control plane never issued (drift to look into). */
  unexpected: InventoryEntry[];
}

export interface SyncPublisher {
  /** Signs and sends the changes to the data plane's inbox; resolves once every message is accepted. */
  publish(dataPlaneId: string, changes: readonly EntityChange[]): Promise<SignedSyncMessage[]>;
  /** Republishes what the data plane lacks; returns the plan it carried out. */
  reconcile(
    dataPlaneId: string,
    desired: readonly EntityChange[],
    reported: ReportedState,
  ): Promise<ReconciliationPlan>;
}

/** One message stays far below SQS's 1 MiB so a batch of ten always fits; config is small. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

export function createSyncPublisher(deps: SyncPublisherDeps): SyncPublisher {
  const clock = deps.clock ?? Date.now;

  async function publish(
    dataPlaneId: string,
    changes: readonly EntityChange[],
  ): Promise<SignedSyncMessage[]> {
    const inbox = deps.inboxFor(dataPlaneId);
    if (!inbox) throw new Error(`data plane ${dataPlaneId} is not registered`);
    const signed: SignedSyncMessage[] = [];
    const bodies: QueueMessage[] = [];
    for (const change of changes) {
      const message = await signSyncMessage(
        {
          v: SYNC_MESSAGE_VERSION,
          dataPlaneId,
          seq: await deps.sequences.next(dataPlaneId),
          issuedAt: clock(),
          kind: change.kind,
          entityId: change.entityId,
          entityVersion: change.entityVersion,
          payload: change.payload,
        },
        deps.signer,
      );
      const body = JSON.stringify(message);
      if (Buffer.byteLength(body, 'utf8') > MAX_MESSAGE_BYTES)
        throw new SyncMessageError(
          `message for ${change.kind} ${change.entityId} exceeds ${MAX_MESSAGE_BYTES} bytes`,
        );
      signed.push(message);
      const id = `seq-${message.message.seq}`;
      // The inbox is FIFO with one group per data plane: one consumer at a time, in sending order.
      // Seqs are never reused, so deduplication by seq only drops a resend of this same message.
      bodies.push({ id, body, fifo: { groupId: dataPlaneId, deduplicationId: id } });
    }
    // A failed send leaves a seq gap and a missing message; the next reconciliation repairs both.
    for (const batch of batches(bodies)) await inbox.sendBatch(batch);
    return signed;
  }

  return {
    publish,
    async reconcile(dataPlaneId, desired, reported) {
      const plan = planReconciliation(desired, reported);
      if (plan.toRepublish.length > 0) await publish(dataPlaneId, plan.toRepublish);
      return plan;
    },
  };
}

/** What the data plane should hold, as an inventory (the latest version of each entity). */
export function desiredInventory(desired: readonly EntityChange[]): InventoryEntry[] {
  return [...latestByEntity(desired).values()].map((change) => ({
    kind: entityKindOf(change.kind),
    entityId: change.entityId,
    entityVersion: change.entityVersion,
  }));
}

/**
 * Compares per kind: equal digests need nothing. For a differing kind, republishes the entities the
 * reported inventory lacks or holds older, or every entity of the kind when no inventory came.
 */
export function planReconciliation(
  desired: readonly EntityChange[],
  reported: ReportedState,
): ReconciliationPlan {
  const latest = latestByEntity(desired);
  const differing = differingKinds(digest(desiredInventory(desired)), reported.digest);
  const differingSet = new Set<EntityKind>(differing);
  const reportedVersions = new Map<string, number>();
  for (const entry of reported.inventory ?? [])
    reportedVersions.set(entityKey(entry.kind, entry.entityId), entry.entityVersion);
  const toRepublish: EntityChange[] = [];
  for (const [key, change] of latest) {
    if (!differingSet.has(entityKindOf(change.kind))) continue;
    const held = reported.inventory ? reportedVersions.get(key) : undefined;
    if (held === undefined || held < change.entityVersion) toRepublish.push(change);
  }
  const unexpected = (reported.inventory ?? []).filter((entry) => {
    const change = latest.get(entityKey(entry.kind, entry.entityId));
    return differingSet.has(entry.kind) && (!change || entry.entityVersion > change.entityVersion);
  });
  return { differingKinds: differing, toRepublish, unexpected };
}

function latestByEntity(changes: readonly EntityChange[]): Map<string, EntityChange> {
  const latest = new Map<string, EntityChange>();
  for (const change of changes) {
    const key = entityKey(entityKindOf(change.kind), change.entityId);
    const current = latest.get(key);
    if (!current || current.entityVersion < change.entityVersion) latest.set(key, change);
  }
  return latest;
}

function entityKey(kind: EntityKind, entityId: string): string {
  return `${kind}\u0000${entityId}`;
}

function* batches(messages: readonly QueueMessage[]): Generator<QueueMessage[]> {
  let batch: QueueMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(message.body, 'utf8');
    if (batch.length === SQS_MAX_BATCH_ENTRIES || bytes + size > SQS_MAX_BATCH_BYTES) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(message);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

/** In-memory SequenceStore (tests, the local platform). */
export class MemorySequenceStore implements SequenceStore {
  private readonly last = new Map<string, number>();

  async next(dataPlaneId: string): Promise<number> {
    const seq = (this.last.get(dataPlaneId) ?? 0) + 1;
    this.last.set(dataPlaneId, seq);
    return seq;
  }
}
