/**
 * Which provider and model a request goes to. `model` is either `<provider>/<model>` (a known
 * provider id before the first slash) or the name of a prompt configuration of the project: its
 * provider, model, hyperparameters, tools and template (with `{{variables}}` filled from the
 * request's `variables`) are used, the request's own fields winning, and its messages are appended
 * after the template's. Fallbacks come from the request's `fallbacks`, else the configuration's
 * `hyperparameters.fallbacks`.
 */
import {
  CONFIGURATION_ENVIRONMENTS,
  type ConfigurationEnvironment,
  type ConfigurationLookup,
  type PromptConfiguration,
} from '../configurations/configuration';
import { NotFoundError, ValidationError } from '../errors';
import type { ProviderId } from '../providers/provider-ids';
import { isProviderId } from '../providers/providers';
import type { ProjectTenant } from '../providers/resolve';
import { type ChatMessage, type ChatRequest, type ChatTool, MAX_FALLBACKS } from './chat-request';

export interface ModelTarget {
  provider: ProviderId;
  model: string;
}

export interface RoutedRequest {
  /** The request as it goes to the provider: template messages first, configuration defaults applied. */
  request: ChatRequest;
  /** The first target, then the fallbacks in order. */
  targets: ModelTarget[];
  configuration?: { id: string; name: string; version: number; environment?: ConfigurationEnvironment };
}

/** `<provider>/<model>` when the prefix is a known provider id, else undefined. */
export function parseModelTarget(model: string): ModelTarget | undefined {
  const slash = model.indexOf('/');
  if (slash <= 0 || slash === model.length - 1) return undefined;
  const provider = model.slice(0, slash);
  return isProviderId(provider) ? { provider, model: model.slice(slash + 1) } : undefined;
}

export async function routeRequest(
  request: ChatRequest,
  tenant: ProjectTenant,
  lookup: ConfigurationLookup | undefined,
): Promise<RoutedRequest> {
  const direct = parseModelTarget(request.model);
  if (direct) {
    if (request.environment !== undefined) {
      throw new ValidationError('environment applies to configurations only, not to <provider>/<model>');
    }
    requireMessages(request.messages);
    return { request, targets: [direct, ...fallbackTargets(request.fallbacks ?? [])] };
  }
  const environment = parseEnvironment(request.environment);
  const configuration = lookup ? await lookup.find(tenant, request.model, environment) : undefined;
  if (!configuration) {
    throw new NotFoundError(
      `Unknown model or configuration "${shown(request.model)}": use <provider>/<model> (providers: openai, anthropic, azure, google-vertex, bedrock, openai-compatible) or the name of a configuration of this project${environment ? ` deployed to ${environment}` : ''}`,
    );
  }
  const provider = configuration.provider;
  if (!isProviderId(provider)) {
    throw new ValidationError(`Configuration "${shown(configuration.name)}" names an unknown provider`);
  }
  const merged = applyConfiguration(request, configuration);
  requireMessages(merged.messages);
  const fallbacks = request.fallbacks ?? configuredFallbacks(configuration);
  return {
    request: merged,
    targets: [{ provider, model: configuration.model }, ...fallbackTargets(fallbacks)],
    configuration: {
      id: configuration.id,
      name: configuration.name,
      version: configuration.version,
      ...(environment && { environment }),
    },
  };
}

function applyConfiguration(request: ChatRequest, configuration: PromptConfiguration): ChatRequest {
  const variables = request.variables ?? {};
  const template: ChatMessage[] = configuration.template.map((message) => ({
    role: message.role,
    content: fillTemplate(message.content, variables),
  }));
  const hp = configuration.hyperparameters;
  const merged: ChatRequest = { ...request, messages: [...template, ...request.messages] };
  merged.temperature ??= numberOf(hp.temperature);
  merged.top_p ??= numberOf(hp.top_p);
  merged.maxTokens ??= numberOf(hp.max_completion_tokens) ?? numberOf(hp.max_tokens);
  merged.presence_penalty ??= numberOf(hp.presence_penalty);
  merged.frequency_penalty ??= numberOf(hp.frequency_penalty);
  if (merged.stop === undefined && Array.isArray(hp.stop) && hp.stop.every((s) => typeof s === 'string')) {
    merged.stop = hp.stop as string[];
  }
  if (merged.tools === undefined && configuration.selectedFunctions.length > 0) {
    merged.tools = configuration.selectedFunctions.map(
      (fn): ChatTool => ({
        type: 'function',
        function: {
          name: fn.name,
          ...(fn.description !== undefined && { description: fn.description }),
          ...(fn.parameters !== undefined && { parameters: fn.parameters }),
        },
      }),
    );
    if (merged.tool_choice === undefined && configuration.functionCallParams !== undefined) {
      const force = configuration.forceFunction?.name;
      merged.tool_choice =
        configuration.functionCallParams === 'force' && typeof force === 'string'
          ? { type: 'function', function: { name: force } }
          : configuration.functionCallParams === 'none'
            ? 'none'
            : 'auto';
    }
  }
  const format = configuration.responseFormat?.type;
  if (merged.response_format === undefined && (format === 'json_object' || format === 'text')) {
    merged.response_format = { type: format };
  }
  for (const key of Object.keys(merged) as (keyof ChatRequest)[]) {
    if (merged[key] === undefined) delete merged[key];
  }
  return merged;
}

const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}/g;

/** Fills `{{name}}` placeholders; every missing variable is named in one error. */
export function fillTemplate(text: string, variables: Record<string, string>): string {
  const missing = new Set<string>();
  const filled = text.replace(PLACEHOLDER, (_match, name: string) => {
    if (Object.hasOwn(variables, name)) return variables[name] as string;
    missing.add(name);
    return '';
  });
  if (missing.size > 0) {
    throw new ValidationError(
      `Missing variables for the configuration's template: ${[...missing].join(', ')} (send them in "variables")`,
    );
  }
  return filled;
}

function configuredFallbacks(configuration: PromptConfiguration): string[] {
  const value = configuration.hyperparameters.fallbacks;
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string').slice(0, MAX_FALLBACKS)
    : [];
}

function fallbackTargets(models: readonly string[]): ModelTarget[] {
  return models.map((model) => {
    const target = parseModelTarget(model);
    if (!target)
      throw new ValidationError(`fallback "${shown(model)}" is not <provider>/<model> with a known provider`);
    return target;
  });
}

function parseEnvironment(value: string | undefined): ConfigurationEnvironment | undefined {
  if (value === undefined || value === '') return undefined;
  if ((CONFIGURATION_ENVIRONMENTS as readonly string[]).includes(value))
    return value as ConfigurationEnvironment;
  throw new ValidationError(`environment must be one of ${CONFIGURATION_ENVIRONMENTS.join(', ')}`);
}

function requireMessages(messages: ChatMessage[]): void {
  if (messages.length === 0) throw new ValidationError('messages must not be empty');
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function shown(value: string): string {
  return /^[\w./:@-]{1,100}$/.test(value) ? value : '?';
}
