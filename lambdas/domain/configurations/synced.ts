/**
 * What the sync carries for configurations (`prompt.*` messages) and tools (`tool.*`), and how a
 * data plane reads its synced copy back. A prompt payload holds the configuration's latest version
 * and the versions its environments serve (never the whole history), so one message answers every
 * read: by name, by name and environment, or the latest.
 */
import type { ToolRecord } from '../control-plane/model';
import type { JsonObject } from '../sync/canonical-json';
import {
  CONFIGURATION_ENVIRONMENTS,
  type ConfigurationEnvironment,
  type PromptConfiguration,
} from './configuration';
import type { VersionContent } from './configuration-input';
import { readConfigurationInput } from './configuration-input';

export interface PromptPayload {
  id: string;
  org_id: string;
  workspace_id: string;
  project_id: string;
  name: string;
  /** The latest version's number. */
  latest: number;
  deployments: Partial<Record<ConfigurationEnvironment, number>>;
  versions: Array<{ number: number; content: VersionContent; created_at: string }>;
  created_at: string;
  updated_at: string;
}

/** A tool as the control plane records it, without its kind and version (the change carries the version). */
export type ToolPayload = Omit<ToolRecord, 'kind' | 'version'>;

/** A tool as readers see it. */
export type SyncedTool = ToolPayload;

const PROMPT_FIELDS = [
  'id',
  'org_id',
  'workspace_id',
  'project_id',
  'name',
  'latest',
  'deployments',
  'versions',
  'created_at',
  'updated_at',
];
const TOOL_FIELDS = [
  'id',
  'org_id',
  'workspace_id',
  'project_id',
  'name',
  'description',
  'parameters',
  'tool_type',
  'created_at',
  'updated_at',
];

/**
 * Checks a prompt payload field by field (the versions' content through the same reader as the API's
 * input, so a data plane never holds what the control plane would have refused). Returns a problem,
 * or undefined when the payload is sound.
 */
export function promptPayloadProblem(payload: JsonObject, entityId: string): string | undefined {
  const unknown = Object.keys(payload).find((key) => !PROMPT_FIELDS.includes(key));
  if (unknown !== undefined) return `unknown field "${unknown}"`;
  const ids = idProblem(payload, entityId, ['org_id', 'workspace_id', 'project_id', 'name']);
  if (ids) return ids;
  if (!isCount(payload.latest)) return 'latest is not a version number';
  for (const field of ['created_at', 'updated_at'] as const)
    if (typeof payload[field] !== 'string') return `${field} is not a string`;
  const deployments = payload.deployments;
  if (typeof deployments !== 'object' || deployments === null || Array.isArray(deployments))
    return 'deployments is not an object';
  const versions = payload.versions;
  if (!Array.isArray(versions) || versions.length === 0 || versions.length > 4)
    return 'versions must list 1 to 4 versions';
  const numbers = new Set<number>();
  for (const version of versions) {
    if (typeof version !== 'object' || version === null || Array.isArray(version))
      return 'a version is not an object';
    const { number, content, created_at, ...rest } = version as Record<string, unknown>;
    if (Object.keys(rest).length > 0) return `unknown version field "${Object.keys(rest)[0]}"`;
    if (!isCount(number) || typeof created_at !== 'string') return 'a version lacks its number or created_at';
    try {
      readVersionContent(content);
    } catch (error) {
      return `version ${number}: ${(error as Error).message}`;
    }
    numbers.add(number);
  }
  if (!numbers.has(payload.latest as number)) return 'the latest version is not in versions';
  for (const [env, number] of Object.entries(deployments)) {
    if (!(CONFIGURATION_ENVIRONMENTS as readonly string[]).includes(env))
      return `unknown environment "${env}"`;
    if (!isCount(number) || !numbers.has(number)) return `the version ${env} serves is not in versions`;
  }
  return undefined;
}

export function toolPayloadProblem(payload: JsonObject, entityId: string): string | undefined {
  const unknown = Object.keys(payload).find((key) => !TOOL_FIELDS.includes(key));
  if (unknown !== undefined) return `unknown field "${unknown}"`;
  const ids = idProblem(payload, entityId, ['org_id', 'workspace_id', 'project_id', 'name']);
  if (ids) return ids;
  if (payload.description !== undefined && typeof payload.description !== 'string')
    return 'description is not a string';
  const parameters = payload.parameters;
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))
    return 'parameters is not an object';
  if (payload.tool_type !== 'function' && payload.tool_type !== 'tool')
    return 'tool_type is not function or tool';
  for (const field of ['created_at', 'updated_at'] as const)
    if (typeof payload[field] !== 'string') return `${field} is not a string`;
  return undefined;
}

/**
 * The configuration a synced payload serves for `env` (the version deployed there; undefined when
 * none is), or its latest version without env. `env` of the result lists every environment that
 * serves that same version.
 */
export function configurationFrom(
  payload: PromptPayload,
  env?: ConfigurationEnvironment,
): PromptConfiguration | undefined {
  const number = env === undefined ? payload.latest : payload.deployments[env];
  const version = payload.versions.find((candidate) => candidate.number === number);
  if (!version) return undefined;
  const content = version.content;
  const configuration: PromptConfiguration = {
    id: payload.id,
    org_id: payload.org_id,
    workspace_id: payload.workspace_id,
    project_id: payload.project_id,
    name: payload.name,
    provider: content.provider,
    model: content.model,
    hyperparameters: content.hyperparameters,
    callType: content.callType,
    template: content.template,
    selectedFunctions: content.selectedFunctions,
    env: CONFIGURATION_ENVIRONMENTS.filter((name) => payload.deployments[name] === version.number),
    version: version.number,
    updatedAt: Date.parse(version.created_at),
    type: content.type,
    tags: content.tags,
  };
  if (content.responseFormat !== undefined) configuration.responseFormat = content.responseFormat;
  if (content.functionCallParams !== undefined) configuration.functionCallParams = content.functionCallParams;
  if (content.forceFunction !== undefined) configuration.forceFunction = content.forceFunction;
  if (content.userProperties !== undefined) configuration.userProperties = content.userProperties;
  return configuration;
}

/** A version's content checked as the API checks it (the wire shape rebuilt, then read). */
function readVersionContent(content: unknown): void {
  if (typeof content !== 'object' || content === null || Array.isArray(content))
    throw new Error('content is not an object');
  const c = content as VersionContent;
  readConfigurationInput({
    name: 'synced',
    provider: c.provider,
    type: c.type,
    tags: c.tags,
    user_properties: c.userProperties,
    parameters: {
      call_type: c.callType,
      model: c.model,
      hyperparameters: c.hyperparameters,
      responseFormat: c.responseFormat,
      selectedFunctions: c.selectedFunctions,
      functionCallParams: c.functionCallParams,
      forceFunction: c.forceFunction,
      template: c.template,
    },
  });
  const known = [
    'provider',
    'model',
    'callType',
    'hyperparameters',
    'template',
    'selectedFunctions',
    'responseFormat',
    'functionCallParams',
    'forceFunction',
    'type',
    'tags',
    'userProperties',
  ];
  const unknown = Object.keys(content).find((key) => !known.includes(key));
  if (unknown !== undefined) throw new Error(`unknown content field "${unknown}"`);
}

function idProblem(payload: JsonObject, entityId: string, fields: readonly string[]): string | undefined {
  if (payload.id !== entityId) return 'id differs from the entityId';
  for (const field of fields) {
    const value = payload[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > 256)
      return `${field} is not a non-empty string`;
  }
  return undefined;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
