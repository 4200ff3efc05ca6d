/**
 * Who set, replaced or removed which provider key, and when. Entries carry the provider, the scope
 * and the actor; never the secret, its last characters or its base URL's path.
 */
import type { ProviderId } from './providers';
import type { ProviderKeyScope } from './record';

export type ProviderKeyAuditAction = 'set' | 'replaced' | 'removed';

export interface ProviderKeyAuditEntry {
  org_id: string;
  workspace_id: string;
  /** null: the workspace-wide key. */
  project_id: string | null;
  provider: ProviderId;
  scope: ProviderKeyScope;
  action: ProviderKeyAuditAction;
  /** Who did it: `user:<subject>` for a control-plane token, `api-key:<hash prefix>` for an API key. */
  actor: string;
  /** Epoch ms. */
  at: number;
  /** The record's version after the change (the removed version for `removed`). */
  version: number;
  /** Unique per entry, so two changes in one millisecond are both kept. */
  id: string;
}

/** The audit entry as the API shows it. */
export function auditView(entry: ProviderKeyAuditEntry) {
  return {
    provider: entry.provider,
    scope: entry.scope,
    action: entry.action,
    actor: entry.actor,
    at: new Date(entry.at).toISOString(),
    version: entry.version,
  };
}
