/**
 * Setting, listing and removing provider keys for the caller's project or workspace. The secret is
 * sealed before it is stored, bound to its record; only its last four characters are kept in clear.
 * Every change writes an audit entry after it (DynamoDB Local/dynalite has no transactions, so the
 * two writes are separate: a failed audit write is reported through onAuditFailure and never undoes
 * the change, and the record itself always says who changed it last and when).
 */
import { ConflictError, NotFoundError } from '../errors';
import type { ProviderKeyAuditAction, ProviderKeyAuditEntry } from './audit';
import type { ProviderKeyStore, SecretSealer } from './ports';
import type { ProviderId } from './providers';
import {
  last4Of,
  type ProviderKeyRecord,
  type ProviderKeyRef,
  type ProviderKeyScope,
  scopeOf,
  sealContextOf,
  WORKSPACE_WIDE,
} from './record';
import type { ProviderKeyRequest } from './request';
import type { ProjectTenant } from './resolve';

export interface ProviderKeyServiceDeps {
  store: ProviderKeyStore;
  sealer: SecretSealer;
  clock?: () => number;
  /** A unique id per audit entry. */
  newId: () => string;
  /** Called after each change, with what changed (the resolver's invalidate, in the function that resolves). */
  onChanged?: (ref: ProviderKeyRef) => void;
  /** The change was made but its audit entry could not be written. Never given the secret. */
  onAuditFailure?: (error: unknown, entry: ProviderKeyAuditEntry) => void;
}

/** A key as answers show it: never the secret. */
export interface ProviderKeyView {
  provider: ProviderId;
  scope: ProviderKeyScope;
  last4: string | null;
  base_url?: string;
  region?: string;
  updated_at: string;
  updated_by: string;
}

export interface ProviderKeyService {
  set(
    actor: string,
    tenant: ProjectTenant,
    request: ProviderKeyRequest,
  ): Promise<{ view: ProviderKeyView; created: boolean }>;
  list(tenant: ProjectTenant): Promise<ProviderKeyView[]>;
  /** Throws NotFoundError when there is no such key. */
  remove(actor: string, tenant: ProjectTenant, provider: ProviderId, scope: ProviderKeyScope): Promise<void>;
  audit(tenant: ProjectTenant, limit: number): Promise<ProviderKeyAuditEntry[]>;
}

function refFor(tenant: ProjectTenant, provider: ProviderId, scope: ProviderKeyScope): ProviderKeyRef {
  if (tenant.project_id === WORKSPACE_WIDE) throw new Error('"*" cannot be a project id');
  return {
    org_id: tenant.org_id,
    workspace_id: tenant.workspace_id,
    project_id: scope === 'project' ? tenant.project_id : null,
    provider,
  };
}

export function viewOf(record: ProviderKeyRecord): ProviderKeyView {
  return {
    provider: record.provider,
    scope: scopeOf(record),
    last4: record.last4 ?? null,
    ...(record.baseUrl !== undefined && { base_url: record.baseUrl }),
    ...(record.region !== undefined && { region: record.region }),
    updated_at: new Date(record.updatedAt).toISOString(),
    updated_by: record.updatedBy,
  };
}

export function createProviderKeyService(deps: ProviderKeyServiceDeps): ProviderKeyService {
  const clock = deps.clock ?? Date.now;
  const { store, sealer } = deps;

  async function audit(
    ref: ProviderKeyRef,
    action: ProviderKeyAuditAction,
    actor: string,
    version: number,
    at: number,
  ) {
    const entry: ProviderKeyAuditEntry = {
      org_id: ref.org_id,
      workspace_id: ref.workspace_id,
      project_id: ref.project_id,
      provider: ref.provider,
      scope: scopeOf(ref),
      action,
      actor,
      at,
      version,
      id: deps.newId(),
    };
    try {
      await store.appendAudit(entry);
    } catch (error) {
      deps.onAuditFailure?.(error, entry);
    }
  }

  return {
    async set(actor, tenant, request) {
      const ref = refFor(tenant, request.provider, request.scope);
      const existing = await store.get(ref);
      const now = clock();
      const record: ProviderKeyRecord = {
        ...ref,
        createdAt: existing?.createdAt ?? now,
        createdBy: existing?.createdBy ?? actor,
        updatedAt: now,
        updatedBy: actor,
        version: (existing?.version ?? 0) + 1,
        ...(request.baseUrl !== undefined && { baseUrl: request.baseUrl }),
        ...(request.region !== undefined && { region: request.region }),
      };
      if (request.apiKey !== undefined) {
        record.sealedSecret = await sealer.seal(new TextEncoder().encode(request.apiKey), sealContextOf(ref));
        const last4 = last4Of(request.apiKey);
        if (last4 !== undefined) record.last4 = last4;
      }
      await store.put(record, existing?.version);
      deps.onChanged?.(ref);
      await audit(ref, existing ? 'replaced' : 'set', actor, record.version, now);
      return { view: viewOf(record), created: existing === undefined };
    },

    async list(tenant) {
      const records = await store.list(tenant);
      return records
        .filter(
          (record) =>
            record.org_id === tenant.org_id &&
            record.workspace_id === tenant.workspace_id &&
            (record.project_id === null || record.project_id === tenant.project_id),
        )
        .map(viewOf)
        .sort((a, b) => a.provider.localeCompare(b.provider) || a.scope.localeCompare(b.scope));
    },

    async remove(actor, tenant, provider, scope) {
      const ref = refFor(tenant, provider, scope);
      const existing = await store.get(ref);
      if (!existing) throw new NotFoundError(`No ${scope} key for provider ${provider}`);
      try {
        await store.delete(ref, existing.version);
      } catch (error) {
        // Removed by someone else meanwhile: what was asked is done, but by them (and audited by them).
        if (error instanceof ConflictError && !(await store.get(ref))) {
          throw new NotFoundError(`No ${scope} key for provider ${provider}`);
        }
        throw error;
      }
      deps.onChanged?.(ref);
      await audit(ref, 'removed', actor, existing.version, clock());
    },

    audit: (tenant, limit) => store.listAudit(tenant, limit),
  };
}
