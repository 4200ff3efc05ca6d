/**
 * The EvaluatorCatalog over a data plane's synced copy (the ConfigStore the data-plane controller
 * fills from `evaluator.*` messages): what online evaluation asks which evaluators to run, what
 * `GET /metrics` lists and what `run_metric` runs. Every read is pinned to one project: another
 * project's metrics are invisible. A project is told by its id alone (the control plane's ids are
 * unique across organizations), as online evaluation looks a composite's children up by the
 * parent's project. The copy holds each metric's latest version only (limits.ts):
 * asking for an older version answers undefined, as for a deleted metric, and a task queued for a
 * version replaced since is done without a score.
 */
import type { Tenant } from '../../events/event';
import type { ConfigStore } from '../../sync/stores';
import type { EvaluatorCatalog, EvaluatorDefinition, EvaluatorType } from '../evaluator';
import { definitionFrom, type EvaluatorPayload } from './synced';

export interface SyncedEvaluatorCatalog extends EvaluatorCatalog {
  /** The project's metrics (latest versions), by name, optionally of one type or with one id. */
  list(tenant: Tenant, filter?: { type?: EvaluatorType; id?: string }): Promise<EvaluatorDefinition[]>;
  /** A composite's child, by id when the reference has one, else by name, in the parent's project. */
  child(tenant: Tenant, reference: { id?: string; name: string }): Promise<EvaluatorDefinition | undefined>;
}

export function createSyncedEvaluatorCatalog(deps: { configStore: ConfigStore }): SyncedEvaluatorCatalog {
  async function all(tenant: Tenant): Promise<EvaluatorDefinition[]> {
    const entries = await deps.configStore.list('evaluator');
    return entries
      .map((entry) => entry.payload as unknown as EvaluatorPayload)
      .filter((payload) => payload.project_id === tenant.project_id)
      .map(definitionFrom)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async function byId(tenant: Tenant, id: string): Promise<EvaluatorDefinition | undefined> {
    const entry = await deps.configStore.get('evaluator', id);
    if (!entry || entry.deleted) return undefined;
    const payload = entry.payload as unknown as EvaluatorPayload;
    if (payload.project_id !== tenant.project_id) return undefined;
    return definitionFrom(payload);
  }

  return {
    async enabledInProd(tenant) {
      return (await all(tenant)).filter((definition) => definition.enabledInProd);
    },
    async get(tenant, id, version) {
      const found = await byId(tenant, id);
      return version === undefined || found?.version === version ? found : undefined;
    },
    async list(tenant, filter = {}) {
      if (filter.id !== undefined) {
        const found = await byId(tenant, filter.id);
        return found && (filter.type === undefined || found.type === filter.type) ? [found] : [];
      }
      const found = await all(tenant);
      return filter.type === undefined
        ? found
        : found.filter((definition) => definition.type === filter.type);
    },
    async child(tenant, reference) {
      if (reference.id !== undefined) return byId(tenant, reference.id);
      return (await all(tenant)).find((definition) => definition.name === reference.name);
    },
  };
}
