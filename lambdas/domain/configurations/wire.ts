/**
 * HoneyHive's wire shapes of configurations and tools, as the `honeyhive` 1.0.42 client validates
 * them (its Configuration and Tool schemas: `_id`, `project`, `parameters.call_type`, `tool_type`),
 * with the fields the newer API reference adds (`id`, `tags`, `created_at`, `updated_at`) beside
 * them; the client's schemas drop keys they do not know.
 */
import type { PromptConfiguration } from './configuration';
import type { SyncedTool } from './synced';

export function configurationWire(configuration: PromptConfiguration, createdAt: string) {
  const parameters: Record<string, unknown> = {
    call_type: configuration.callType,
    model: configuration.model,
    hyperparameters: configuration.hyperparameters,
    selectedFunctions: configuration.selectedFunctions,
    template: configuration.template,
  };
  if (configuration.responseFormat !== undefined) parameters.responseFormat = configuration.responseFormat;
  if (configuration.functionCallParams !== undefined)
    parameters.functionCallParams = configuration.functionCallParams;
  if (configuration.forceFunction !== undefined) parameters.forceFunction = configuration.forceFunction;
  return {
    _id: configuration.id,
    id: configuration.id,
    project: configuration.project_id,
    name: configuration.name,
    type: configuration.type ?? 'LLM',
    provider: configuration.provider,
    parameters,
    env: configuration.env,
    tags: configuration.tags ?? [],
    user_properties: configuration.userProperties ?? {},
    version: configuration.version,
    created_at: createdAt,
    updated_at: new Date(configuration.updatedAt).toISOString(),
  };
}

export function toolWire(tool: SyncedTool) {
  return {
    _id: tool.id,
    id: tool.id,
    task: tool.project_id,
    name: tool.name,
    ...(tool.description !== undefined && { description: tool.description }),
    parameters: tool.parameters,
    tool_type: tool.tool_type,
    created_at: tool.created_at,
    updated_at: tool.updated_at,
  };
}
