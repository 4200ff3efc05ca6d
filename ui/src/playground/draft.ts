/**
 * The playground's draft: what is being tried (provider, model, messages, parameters, variables),
 * built from a configuration or from scratch, and turned into the proxy's request and into a
 * configuration version. Pure functions; the page holds the state.
 */

import { fillTemplate, templateVariables } from '../../../lambdas/domain/configurations/template-variables';
import type { ConfigurationWire, ConfigurationWrite } from '../api/client';
import { PROVIDERS, type ProviderId } from '../api/client';

export type MessageRole = 'system' | 'user' | 'assistant' | 'tool';
export const MESSAGE_ROLES: readonly MessageRole[] = ['system', 'user', 'assistant', 'tool'];

export interface DraftMessage {
  /** A stable key for React (messages are reordered). */
  key: number;
  role: MessageRole;
  content: string;
}

export interface Parameters {
  /** Text as typed: empty means "the provider's default" (not sent). */
  temperature: string;
  maxTokens: string;
  topP: string;
  /** Stop sequences, one per line. */
  stop: string;
}

export interface Draft {
  provider: ProviderId;
  model: string;
  messages: DraftMessage[];
  parameters: Parameters;
  variables: Record<string, string>;
}

let nextKey = 1;
export function newMessage(role: MessageRole, content = ''): DraftMessage {
  return { key: nextKey++, role, content };
}

export const EMPTY_PARAMETERS: Parameters = { temperature: '', maxTokens: '', topP: '', stop: '' };

export function emptyDraft(): Draft {
  return {
    provider: 'openai',
    model: '',
    messages: [newMessage('system', 'You are a helpful assistant.'), newMessage('user', '')],
    parameters: { ...EMPTY_PARAMETERS },
    variables: {},
  };
}

function isProvider(value: string): value is ProviderId {
  return (PROVIDERS as readonly string[]).includes(value);
}

function text(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' ? value : '';
}

/** A configuration's latest version as a draft (a completion's prompt string becomes one user message). */
export function draftFromConfiguration(configuration: ConfigurationWire): Draft {
  const parameters = configuration.parameters ?? {};
  const hyper = (parameters.hyperparameters ?? {}) as Record<string, unknown>;
  const template = parameters.template;
  const messages: DraftMessage[] =
    typeof template === 'string'
      ? [newMessage('user', template)]
      : (template ?? []).map((message) =>
          newMessage(MESSAGE_ROLES.includes(message.role) ? message.role : 'user', text(message.content)),
        );
  const stop = hyper.stop;
  return {
    provider: isProvider(configuration.provider) ? configuration.provider : 'openai',
    model: text(parameters.model),
    messages: messages.length > 0 ? messages : [newMessage('user', '')],
    parameters: {
      temperature: text(hyper.temperature),
      maxTokens: text(hyper.max_tokens),
      topP: text(hyper.top_p),
      stop: Array.isArray(stop) ? stop.map(text).join('\n') : text(stop),
    },
    variables: {},
  };
}

export function variablesOf(messages: readonly Pick<DraftMessage, 'role' | 'content'>[]): string[] {
  return templateVariables(messages);
}

/** The messages as the model will see them once the proxy fills the variables (for display). */
export function filledMessages(draft: Draft): { role: MessageRole; content: string }[] {
  const values = Object.fromEntries(Object.entries(draft.variables).filter(([, value]) => value !== ''));
  return fillTemplate(draft.messages, values);
}

export interface ParameterErrors {
  temperature?: string;
  maxTokens?: string;
  topP?: string;
}

/** Checks the numbers as typed; a bad one names the field and the run is not sent. */
export function checkParameters(parameters: Parameters): ParameterErrors {
  const errors: ParameterErrors = {};
  const number = (raw: string) => (raw.trim() === '' ? undefined : Number(raw));
  const temperature = number(parameters.temperature);
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2))
    errors.temperature = 'Temperature is a number from 0 to 2';
  const maxTokens = number(parameters.maxTokens);
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 1))
    errors.maxTokens = 'Max tokens is a whole number, 1 or more';
  const topP = number(parameters.topP);
  if (topP !== undefined && !(topP >= 0 && topP <= 1)) errors.topP = 'Top P is a number from 0 to 1';
  return errors;
}

/** OpenAI's names for the parameters that were given (empty fields are left to the provider). */
export function hyperparameters(parameters: Parameters): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (parameters.temperature.trim() !== '') out.temperature = Number(parameters.temperature);
  if (parameters.maxTokens.trim() !== '') out.max_tokens = Number(parameters.maxTokens);
  if (parameters.topP.trim() !== '') out.top_p = Number(parameters.topP);
  const stop = parameters.stop.split('\n').filter((line) => line !== '');
  if (stop.length > 0) out.stop = stop;
  return out;
}

/** Whether the draft is the configuration as saved (what it runs, with what it says). */
export function sameAsConfiguration(draft: Draft, configuration: ConfigurationWire): boolean {
  const shape = (value: Draft) => ({
    provider: value.provider,
    model: value.model.trim(),
    messages: value.messages.map(({ role, content }) => ({ role, content })),
    hyperparameters: hyperparameters(value.parameters),
  });
  return JSON.stringify(shape(draft)) === JSON.stringify(shape(draftFromConfiguration(configuration)));
}

/**
 * The proxy's request (OpenAI's, streamed with usage). A configuration as saved is run by its
 * name: the proxy uses its template, parameters and tools and fills the `variables` itself, and
 * the recorded event names the configuration and version. An edited draft is run as
 * `<provider>/<model>` with the messages filled here (the proxy fills only a configuration's
 * template), every variable the messages use being sent (an empty one as empty text). `user` is
 * OpenAI's end-user field: who ran it, which also finds the recorded event.
 */
export function completionRequest(
  draft: Draft,
  options: { configurationName?: string; user?: string } = {},
): Record<string, unknown> {
  const variables = Object.fromEntries(
    variablesOf(draft.messages).map((name) => [name, draft.variables[name] ?? '']),
  );
  const common = {
    ...(Object.keys(variables).length > 0 && { variables }),
    ...(options.user !== undefined && { user: options.user }),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (options.configurationName !== undefined)
    return { model: options.configurationName, messages: [], ...common };
  return {
    model: `${draft.provider}/${draft.model.trim()}`,
    messages: fillTemplate(draft.messages, variables),
    ...hyperparameters(draft.parameters),
    ...common,
  };
}

/**
 * A configuration version from the draft (HoneyHive's body for POST and PUT /configurations). An
 * existing configuration keeps what the playground does not edit (functions, response format,
 * environments are left as they are: no `env` deploys nothing new).
 */
export function configurationBody(draft: Draft, name: string, base?: ConfigurationWire): ConfigurationWrite {
  const kept = base?.parameters ?? {};
  // A completion configuration stays one while the draft is one prompt; more messages make a chat.
  const callType = kept.call_type === 'completion' && draft.messages.length === 1 ? 'completion' : 'chat';
  const parameters: ConfigurationWrite['parameters'] = {
    call_type: callType,
    model: draft.model.trim(),
    hyperparameters: { ...keptHyperparameters(kept.hyperparameters), ...hyperparameters(draft.parameters) },
    template: draft.messages.map(({ role, content }) => ({ role, content })),
  };
  if (kept.selectedFunctions !== undefined) parameters.selectedFunctions = kept.selectedFunctions;
  if (kept.responseFormat !== undefined) parameters.responseFormat = kept.responseFormat;
  if (kept.functionCallParams !== undefined) parameters.functionCallParams = kept.functionCallParams;
  if (kept.forceFunction !== undefined) parameters.forceFunction = kept.forceFunction;
  return { name, provider: draft.provider, parameters };
}

/** Hyperparameters the playground does not show (e.g. presence_penalty) survive a save. */
function keptHyperparameters(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object') return {};
  const { temperature: _t, max_tokens: _m, top_p: _p, stop: _s, ...rest } = value as Record<string, unknown>;
  return rest;
}
