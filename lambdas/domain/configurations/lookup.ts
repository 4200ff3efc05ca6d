/**
 * The data plane's reads of configurations and tools: from its synced copy (the ConfigStore the
 * data-plane controller fills from `prompt.*` and `tool.*` messages), never from the control
 * plane. Every read is pinned to one project: another project's entries are invisible.
 */
import type { ProjectTenant } from '../providers/resolve';
import type { ConfigStore } from '../sync/stores';
import type { ConfigurationEnvironment, ConfigurationLookup, PromptConfiguration } from './configuration';
import { configurationFrom, type PromptPayload, type SyncedTool, type ToolPayload } from './synced';

export interface ConfigurationReader extends ConfigurationLookup {
  /**
   * The project's configurations, each as `env` serves it (those deployed there) or at its latest
   * version, filtered by name when given; with each its created_at.
   */
  list(
    tenant: ProjectTenant,
    filter: { name?: string; env?: ConfigurationEnvironment },
  ): Promise<Array<{ configuration: PromptConfiguration; createdAt: string }>>;
  tools(tenant: ProjectTenant): Promise<SyncedTool[]>;
}

export function createConfigurationLookup(deps: { configStore: ConfigStore }): ConfigurationReader {
  async function prompts(tenant: ProjectTenant): Promise<PromptPayload[]> {
    const entries = await deps.configStore.list('prompt');
    return entries
      .map((entry) => entry.payload as unknown as PromptPayload)
      .filter((payload) => sameProject(payload, tenant))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  const reader: ConfigurationReader = {
    async list(tenant, filter) {
      const found: Array<{ configuration: PromptConfiguration; createdAt: string }> = [];
      for (const payload of await prompts(tenant)) {
        if (filter.name !== undefined && payload.name !== filter.name) continue;
        const configuration = configurationFrom(payload, filter.env);
        if (configuration) found.push({ configuration, createdAt: payload.created_at });
      }
      return found;
    },
    async find(tenant, name, env) {
      return (await reader.list(tenant, { name, env }))[0]?.configuration;
    },
    async tools(tenant) {
      const entries = await deps.configStore.list('tool');
      return entries
        .map((entry) => entry.payload as unknown as ToolPayload)
        .filter((payload) => sameProject(payload, tenant))
        .sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
    },
  };
  return reader;
}

function sameProject(payload: { org_id: string; project_id: string }, tenant: ProjectTenant): boolean {
  return payload.org_id === tenant.org_id && payload.project_id === tenant.project_id;
}
