/** In-memory ProviderKeyStore and a reversible SecretSealer for app and resolver tests. */
import { ConflictError } from '../../lambdas/domain/errors';
import type { ProviderKeyAuditEntry } from '../../lambdas/domain/providers/audit';
import type { ProviderKeyStore, SecretSealer } from '../../lambdas/domain/providers/ports';
import type { ProviderKeyRecord, ProviderKeyRef, SealContext } from '../../lambdas/domain/providers/record';

function keyOf(ref: ProviderKeyRef): string {
  return JSON.stringify([ref.org_id, ref.workspace_id, ref.project_id, ref.provider]);
}

export class MemoryProviderKeyStore implements ProviderKeyStore {
  readonly records = new Map<string, ProviderKeyRecord>();
  readonly auditEntries: ProviderKeyAuditEntry[] = [];
  gets = 0;
  /** Set to make the next calls of a method throw. */
  failPut: Error | undefined;
  failAudit: Error | undefined;

  async get(ref: ProviderKeyRef): Promise<ProviderKeyRecord | undefined> {
    this.gets++;
    const record = this.records.get(keyOf(ref));
    return record && { ...record };
  }

  async put(record: ProviderKeyRecord, expectedVersion: number | undefined): Promise<void> {
    if (this.failPut) throw this.failPut;
    const current = this.records.get(keyOf(record));
    if (current?.version !== expectedVersion) throw new ConflictError('changed meanwhile');
    this.records.set(keyOf(record), { ...record });
  }

  async delete(ref: ProviderKeyRef, expectedVersion: number): Promise<void> {
    const current = this.records.get(keyOf(ref));
    if (current?.version !== expectedVersion) throw new ConflictError('changed meanwhile');
    this.records.delete(keyOf(ref));
  }

  async list(tenant: {
    org_id: string;
    workspace_id: string;
    project_id: string;
  }): Promise<ProviderKeyRecord[]> {
    return [...this.records.values()].filter(
      (record) =>
        record.org_id === tenant.org_id &&
        record.workspace_id === tenant.workspace_id &&
        (record.project_id === null || record.project_id === tenant.project_id),
    );
  }

  async appendAudit(entry: ProviderKeyAuditEntry): Promise<void> {
    if (this.failAudit) throw this.failAudit;
    this.auditEntries.push({ ...entry });
  }

  async listAudit(
    tenant: { org_id: string; workspace_id: string; project_id: string },
    limit: number,
  ): Promise<ProviderKeyAuditEntry[]> {
    return this.auditEntries
      .filter(
        (entry) =>
          entry.org_id === tenant.org_id &&
          entry.workspace_id === tenant.workspace_id &&
          (entry.project_id === null || entry.project_id === tenant.project_id),
      )
      .sort((a, b) => b.at - a.at)
      .slice(0, limit);
  }
}

/**
 * Not encryption: XORs the plaintext and prefixes the context, so tests can check what was sealed
 * with which context, and that the stored bytes are not the plaintext.
 */
export class FakeSealer implements SecretSealer {
  opened = 0;

  async seal(plaintext: Uint8Array, context: SealContext): Promise<Uint8Array> {
    const head = new TextEncoder().encode(`${JSON.stringify(context)}\n`);
    const body = plaintext.map((byte) => byte ^ 0x5a);
    return new Uint8Array([...head, ...body]);
  }

  async open(ciphertext: Uint8Array, context: SealContext): Promise<Uint8Array> {
    this.opened++;
    const newline = ciphertext.indexOf(10);
    const found = new TextDecoder().decode(ciphertext.subarray(0, newline));
    if (found !== JSON.stringify(context)) throw new Error('context mismatch');
    return ciphertext.subarray(newline + 1).map((byte) => byte ^ 0x5a);
  }
}
