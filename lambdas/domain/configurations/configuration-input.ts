/**
 * Reads a configuration as HoneyHive's API receives it (POST /configurations, PUT
 * /configurations/{id}: the body the `honeyhive` client's createConfiguration and
 * updateConfiguration send) into what one version holds. Strict: an unknown field, a wrong type, an
 * unknown environment or an oversized version is a ValidationError / TooLargeError naming it, so a
 * typo never becomes a silently ignored setting.
 */
import { TooLargeError, ValidationError } from '../errors';
import { PROVIDERS } from '../providers/provider-ids';
import {
  CONFIGURATION_ENVIRONMENTS,
  CONFIGURATION_TYPES,
  type ConfigurationEnvironment,
  type ConfigurationType,
  FUNCTION_CALL_PARAMS,
  type FunctionCallParams,
  type SelectedFunction,
  TEMPLATE_ROLES,
  type TemplateMessage,
} from './configuration';
import {
  jsonBytes,
  MAX_NAME_LENGTH,
  MAX_SELECTED_FUNCTIONS,
  MAX_TAGS,
  MAX_TEMPLATE_MESSAGES,
  MAX_VERSION_BYTES,
} from './limits';

/** What one version of a configuration holds (every field but name, env and ids). */
export interface VersionContent {
  provider: string;
  model: string;
  callType: 'chat' | 'completion';
  hyperparameters: Record<string, unknown>;
  template: TemplateMessage[];
  selectedFunctions: SelectedFunction[];
  responseFormat?: Record<string, unknown>;
  functionCallParams?: FunctionCallParams;
  forceFunction?: Record<string, unknown>;
  type: ConfigurationType;
  tags: string[];
  userProperties?: Record<string, unknown>;
}

export interface ConfigurationInput {
  /** The project the caller named (HoneyHive's `project`), checked against the caller's. */
  project?: string;
  name: string;
  content: VersionContent;
  /** Absent: the environments keep the versions they serve. */
  env?: ConfigurationEnvironment[];
}

const TOP_FIELDS = ['project', 'name', 'provider', 'parameters', 'env', 'type', 'tags', 'user_properties'];
const PARAMETER_FIELDS = [
  'call_type',
  'model',
  'hyperparameters',
  'responseFormat',
  'selectedFunctions',
  'functionCallParams',
  'forceFunction',
  'template',
];
const FUNCTION_FIELDS = ['id', 'name', 'description', 'parameters'];

type Json = Record<string, unknown>;

export function readConfigurationInput(body: unknown): ConfigurationInput {
  const top = object(body, 'body');
  onlyFields(top, TOP_FIELDS, '');
  const parameters = object(top.parameters, 'parameters');
  onlyFields(parameters, PARAMETER_FIELDS, 'parameters.');
  const callType = oneOf(parameters.call_type, ['chat', 'completion'] as const, 'parameters.call_type');
  if (callType === undefined)
    throw new ValidationError('parameters.call_type is required (chat, completion)');
  const content: VersionContent = {
    provider: provider(top.provider),
    model: name(parameters.model, 'parameters.model'),
    callType,
    hyperparameters: optionalObject(parameters.hyperparameters, 'parameters.hyperparameters') ?? {},
    template: template(parameters.template, callType),
    selectedFunctions: selectedFunctions(parameters.selectedFunctions),
    type: oneOf(top.type, CONFIGURATION_TYPES, 'type') ?? 'LLM',
    tags: tags(top.tags),
  };
  const responseFormat = optionalObject(parameters.responseFormat, 'parameters.responseFormat');
  if (responseFormat !== undefined) content.responseFormat = responseFormat;
  const functionCallParams = oneOf(
    parameters.functionCallParams,
    FUNCTION_CALL_PARAMS,
    'parameters.functionCallParams',
  );
  if (functionCallParams !== undefined) content.functionCallParams = functionCallParams;
  const forceFunction = optionalObject(parameters.forceFunction, 'parameters.forceFunction');
  if (forceFunction !== undefined) content.forceFunction = forceFunction;
  const userProperties = optionalObject(top.user_properties, 'user_properties');
  if (userProperties !== undefined) content.userProperties = userProperties;
  if (jsonBytes(content) > MAX_VERSION_BYTES)
    throw new TooLargeError(
      `A configuration version is at most ${MAX_VERSION_BYTES / 1024} KiB as JSON (template, functions and parameters together)`,
    );
  const input: ConfigurationInput = { name: name(top.name, 'name'), content };
  if (top.project !== undefined && top.project !== null) input.project = name(top.project, 'project');
  const env = environments(top.env);
  if (env !== undefined) input.env = env;
  return input;
}

/** One environment name (a query's `env`): dev, staging or prod. */
export function readEnvironment(value: unknown, field = 'env'): ConfigurationEnvironment {
  const env = oneOf(value, CONFIGURATION_ENVIRONMENTS, field);
  if (env === undefined)
    throw new ValidationError(`${field} must be one of ${CONFIGURATION_ENVIRONMENTS.join(', ')}`);
  return env;
}

function environments(value: unknown): ConfigurationEnvironment[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new ValidationError('env must be a list of dev, staging, prod');
  return [...new Set(value.map((item, index) => readEnvironment(item, `env[${index}]`)))];
}

function provider(value: unknown): string {
  const id = name(value, 'provider');
  if (!(PROVIDERS as readonly string[]).includes(id))
    throw new ValidationError(`provider must be one of ${PROVIDERS.join(', ')}`);
  return id;
}

function template(value: unknown, callType: 'chat' | 'completion'): TemplateMessage[] {
  if (value === undefined || value === null) return [];
  // A completion template may be one prompt string; it is held as one user message.
  if (typeof value === 'string') return [{ role: 'user', content: value }];
  if (!Array.isArray(value))
    throw new ValidationError('parameters.template must be a list of { role, content } messages or a string');
  if (value.length > MAX_TEMPLATE_MESSAGES)
    throw new ValidationError(`parameters.template has at most ${MAX_TEMPLATE_MESSAGES} messages`);
  if (callType === 'completion' && value.length > 1)
    throw new ValidationError('a completion template is one prompt: give a string or one message');
  return value.map((item, index) => {
    const field = `parameters.template[${index}]`;
    const message = object(item, field);
    onlyFields(message, ['role', 'content'], `${field}.`);
    const role = oneOf(message.role, TEMPLATE_ROLES, `${field}.role`);
    if (role === undefined) throw new ValidationError(`${field}.role is required`);
    if (typeof message.content !== 'string') throw new ValidationError(`${field}.content must be a string`);
    return { role, content: message.content };
  });
}

function selectedFunctions(value: unknown): SelectedFunction[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ValidationError('parameters.selectedFunctions must be a list');
  if (value.length > MAX_SELECTED_FUNCTIONS)
    throw new ValidationError(`parameters.selectedFunctions has at most ${MAX_SELECTED_FUNCTIONS} entries`);
  return value.map((item, index) => {
    const field = `parameters.selectedFunctions[${index}]`;
    const entry = object(item, field);
    onlyFields(entry, FUNCTION_FIELDS, `${field}.`);
    const fn: SelectedFunction = {
      id: name(entry.id, `${field}.id`),
      name: name(entry.name, `${field}.name`),
    };
    if (entry.description !== undefined && entry.description !== null) {
      if (typeof entry.description !== 'string')
        throw new ValidationError(`${field}.description must be a string`);
      fn.description = entry.description;
    }
    const parameters = optionalObject(entry.parameters, `${field}.parameters`);
    if (parameters !== undefined) fn.parameters = parameters;
    return fn;
  });
}

function tags(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_TAGS)
    throw new ValidationError(`tags must be a list of at most ${MAX_TAGS} names`);
  return value.map((item, index) => name(item, `tags[${index}]`));
}

export function name(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_NAME_LENGTH)
    throw new ValidationError(`${field} must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
  return value.trim();
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw new ValidationError(`${field} must be one of ${allowed.join(', ')}`);
  return value as T;
}

export function object(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ValidationError(`${field} must be a JSON object`);
  return value as Json;
}

export function optionalObject(value: unknown, field: string): Json | undefined {
  return value === undefined || value === null ? undefined : object(value, field);
}

export function onlyFields(value: Json, allowed: readonly string[], prefix: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new ValidationError(`unknown field "${prefix}${key}"`);
  }
}
