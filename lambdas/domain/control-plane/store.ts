/**
 * The control plane's store port. Writes are single-item and conditional (no transactions), which is
 * what DynamoDB offers cheaply and what dynalite emulates: uniqueness comes from NameClaim records,
 * concurrency from record versions.
 */
import { ConflictError } from '../errors';
import type { ControlPlaneRecord, Membership, RecordKind, RecordOf, RecordRef } from './model';

export interface ControlPlaneStore {
  get<K extends RecordKind>(ref: RecordRef<K>): Promise<RecordOf<K> | undefined>;
  /** Every record of a kind in an organization. */
  listByOrg<K extends RecordKind>(kind: K, orgId: string): Promise<RecordOf<K>[]>;
  /** Every membership of a user, across organizations (resolving an actor). */
  membershipsOfUser(userId: string): Promise<Membership[]>;
  /**
   * Writes a record. version 1 creates it and fails if it exists; version n > 1 replaces it only
   * if the stored version is n - 1. Fails with VersionConflictError otherwise.
   */
  put(record: ControlPlaneRecord): Promise<void>;
  /** Deletes a record only if its stored version is `version`; VersionConflictError otherwise. */
  delete(ref: RecordRef, version: number): Promise<void>;
}

/** A conditional write lost: the record exists, is gone, or changed since it was read. */
export class VersionConflictError extends ConflictError {
  override readonly name = 'VersionConflictError';

  constructor(ref: RecordRef) {
    super(`The ${ref.kind} ${ref.id} was changed by another request; retry`);
  }
}

export function refOf(record: ControlPlaneRecord): RecordRef {
  return { kind: record.kind, org_id: record.org_id, id: record.id };
}
