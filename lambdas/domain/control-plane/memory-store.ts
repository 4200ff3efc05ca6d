/**
 * ControlPlaneStore in memory, with the same conditional-write semantics as the DynamoDB adapter.
 * For unit tests and the local platform's first start; records are copied in and out so callers
 * can never mutate stored state by reference.
 */
import type { ControlPlaneRecord, Membership, RecordKind, RecordOf, RecordRef } from './model';
import { type ControlPlaneStore, refOf, VersionConflictError } from './store';

export class MemoryControlPlaneStore implements ControlPlaneStore {
  private readonly records = new Map<string, ControlPlaneRecord>();

  async get<K extends RecordKind>(ref: RecordRef<K>): Promise<RecordOf<K> | undefined> {
    const record = this.records.get(keyOf(ref));
    return record ? (structuredClone(record) as RecordOf<K>) : undefined;
  }

  async listByOrg<K extends RecordKind>(kind: K, orgId: string): Promise<RecordOf<K>[]> {
    return this.sorted()
      .filter((record) => record.kind === kind && record.org_id === orgId)
      .map((record) => structuredClone(record) as RecordOf<K>);
  }

  async membershipsOfUser(userId: string): Promise<Membership[]> {
    return this.sorted()
      .filter((record): record is Membership => record.kind === 'membership' && record.user_id === userId)
      .map((record) => structuredClone(record));
  }

  async put(record: ControlPlaneRecord): Promise<void> {
    const key = keyOf(refOf(record));
    const stored = this.records.get(key);
    const ok = record.version === 1 ? stored === undefined : stored?.version === record.version - 1;
    if (!ok) throw new VersionConflictError(refOf(record));
    this.records.set(key, structuredClone(record));
  }

  async delete(ref: RecordRef, version: number): Promise<void> {
    const key = keyOf(ref);
    if (this.records.get(key)?.version !== version) throw new VersionConflictError(ref);
    this.records.delete(key);
  }

  /** A stable serialization of everything stored, to prove that a call changed nothing. */
  snapshot(): string {
    return JSON.stringify(this.sorted());
  }

  private sorted(): ControlPlaneRecord[] {
    return [...this.records.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, record]) => record);
  }
}

function keyOf(ref: RecordRef): string {
  return JSON.stringify([ref.org_id, ref.kind, ref.id]);
}
