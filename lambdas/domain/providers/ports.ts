/**
 * The ports of provider keys: where records and audit entries live (DynamoDB on AWS and, through
 * dynalite, locally) and what seals secrets (the AWS Encryption SDK with a KMS keyring on AWS, a
 * local AES key on a laptop).
 */
import type { ProviderKeyAuditEntry } from './audit';
import type { ProviderKeyRecord, ProviderKeyRef, SealContext } from './record';

export interface ProviderKeyStore {
  get(ref: ProviderKeyRef): Promise<ProviderKeyRecord | undefined>;
  /**
   * Writes the record if the stored one is still at `expectedVersion` (undefined: there must be
   * none); else throws ConflictError. The record's version is the new one.
   */
  put(record: ProviderKeyRecord, expectedVersion: number | undefined): Promise<void>;
  /** Deletes the record if it is still at `expectedVersion`; else throws ConflictError. */
  delete(ref: ProviderKeyRef, expectedVersion: number): Promise<void>;
  /** The project's own keys and its workspace's (both scopes), by provider. */
  list(tenant: { org_id: string; workspace_id: string; project_id: string }): Promise<ProviderKeyRecord[]>;
  /** Audit entries are never changed or removed. */
  appendAudit(entry: ProviderKeyAuditEntry): Promise<void>;
  /** The project's entries and its workspace's, newest first, at most `limit`. */
  listAudit(
    tenant: { org_id: string; workspace_id: string; project_id: string },
    limit: number,
  ): Promise<ProviderKeyAuditEntry[]>;
}

export interface SecretSealer {
  /** Encrypts `plaintext` bound to `context`; the result carries everything needed to open it. */
  seal(plaintext: Uint8Array, context: SealContext): Promise<Uint8Array>;
  /** Decrypts, refusing a ciphertext whose bound context is not exactly `context`. */
  open(ciphertext: Uint8Array, context: SealContext): Promise<Uint8Array>;
}
