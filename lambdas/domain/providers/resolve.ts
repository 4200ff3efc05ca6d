/**
 * Which key a project's call to a provider uses: the project's own, else its workspace's. The
 * secret is opened only here (in the function that calls the provider) and kept in memory briefly,
 * in a small cache that a PUT or DELETE in the same instance empties for what it changed; other
 * instances see a change within the cache's lifetime (60 s by default).
 */
import type { ProviderKeyStore, SecretSealer } from './ports';
import type { ProviderId } from './providers';
import { type ProviderKeyRecord, type ProviderKeyScope, scopeOf, sealContextOf } from './record';
import { SecretValue } from './secret-value';

export interface ProjectTenant {
  org_id: string;
  workspace_id: string;
  project_id: string;
}

export interface ResolvedProviderKey {
  provider: ProviderId;
  scope: ProviderKeyScope;
  /** Absent for Bedrock (IAM role). */
  apiKey?: SecretValue;
  baseUrl?: string;
  region?: string;
  version: number;
}

export interface ProviderKeyResolverOptions {
  store: ProviderKeyStore;
  sealer: SecretSealer;
  clock?: () => number;
  /** How long an opened key (or its absence) is reused; default 60 s. */
  ttlMs?: number;
  /** Most entries kept; the oldest goes first. Default 500. */
  maxEntries?: number;
}

export interface ProviderKeyResolver {
  /** The key the project uses for the provider, or undefined when neither it nor its workspace has one. */
  resolve(tenant: ProjectTenant, provider: ProviderId): Promise<ResolvedProviderKey | undefined>;
  /** Forgets what a change to this key (a project's, or a workspace's for all its projects) makes stale. */
  invalidate(ref: {
    org_id: string;
    workspace_id: string;
    project_id: string | null;
    provider: ProviderId;
  }): void;
  /** Entries held now (for tests and metrics). */
  size(): number;
}

const DEFAULT_PROVIDER_KEY_TTL_MS = 60_000;
const DEFAULT_PROVIDER_KEY_CACHE_ENTRIES = 500;

interface Entry {
  tenant: ProjectTenant;
  provider: ProviderId;
  value: ResolvedProviderKey | undefined;
  expiresAt: number;
}

export function createProviderKeyResolver(options: ProviderKeyResolverOptions): ProviderKeyResolver {
  const clock = options.clock ?? Date.now;
  const ttlMs = options.ttlMs ?? DEFAULT_PROVIDER_KEY_TTL_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_PROVIDER_KEY_CACHE_ENTRIES;
  if (!(ttlMs >= 0) || !Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new Error('ttlMs must be >= 0 and maxEntries a positive integer');
  }
  const entries = new Map<string, Entry>();
  /** Bumped by every invalidation: a lookup that started before one does not cache what it read. */
  let generation = 0;
  const inFlight = new Map<string, Promise<ResolvedProviderKey | undefined>>();

  async function open(record: ProviderKeyRecord): Promise<ResolvedProviderKey> {
    const resolved: ResolvedProviderKey = {
      provider: record.provider,
      scope: scopeOf(record),
      version: record.version,
      ...(record.baseUrl !== undefined && { baseUrl: record.baseUrl }),
      ...(record.region !== undefined && { region: record.region }),
    };
    if (record.sealedSecret !== undefined) {
      const plaintext = await options.sealer.open(record.sealedSecret, sealContextOf(record));
      resolved.apiKey = new SecretValue(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
      plaintext.fill(0);
    }
    return resolved;
  }

  async function lookUp(
    tenant: ProjectTenant,
    provider: ProviderId,
  ): Promise<ResolvedProviderKey | undefined> {
    const own = await options.store.get({ ...tenant, provider });
    if (own) return open(own);
    const shared = await options.store.get({ ...tenant, project_id: null, provider });
    return shared ? open(shared) : undefined;
  }

  return {
    async resolve(tenant, provider) {
      const key = cacheKey(tenant, provider);
      const now = clock();
      const cached = entries.get(key);
      if (cached && cached.expiresAt > now) return cached.value;
      entries.delete(key);
      // Callers that miss together share one read and one decryption (a burst on a cold instance).
      const running = inFlight.get(key);
      if (running) return running;
      const started = generation;
      const lookup = lookUp(tenant, provider)
        .then((value) => {
          // Failures are not cached (the next call tries again), nor what a change made stale meanwhile.
          if (started === generation) {
            entries.set(key, { tenant, provider, value, expiresAt: now + ttlMs });
            while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
          }
          return value;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, lookup);
      return lookup;
    },
    invalidate(ref) {
      generation++;
      // A lookup already running may have read the old record: later callers start a new one.
      inFlight.clear();
      for (const [key, entry] of entries) {
        if (
          entry.provider === ref.provider &&
          entry.tenant.org_id === ref.org_id &&
          entry.tenant.workspace_id === ref.workspace_id &&
          (ref.project_id === null || entry.tenant.project_id === ref.project_id)
        ) {
          entries.delete(key);
        }
      }
    },
    size: () => entries.size,
  };
}

function cacheKey(tenant: ProjectTenant, provider: ProviderId): string {
  return JSON.stringify([tenant.org_id, tenant.workspace_id, tenant.project_id, provider]);
}
