/**
 * The model endpoints take the spec's event object plus the fields of HoneyHive's model-event shape
 * (model, provider, messages, response, usage, cost, hyperparameters, template, tool_choice, tools).
 * This folds those fields into the sections of a plain event so that buildEvent sees one shape.
 */
import type { JsonObject } from '../events/event';
import {
  describeType,
  fieldPath,
  invalidField,
  optionalNonNegativeNumber,
  optionalObject,
  optionalString,
} from './fields';

export function foldModelEventFields(raw: JsonObject, parent: string): JsonObject {
  const config = {
    ...(optionalObject(raw, 'config', parent) ?? {}),
    ...(optionalObject(raw, 'hyperparameters', parent) ?? {}),
    ...definedEntries({
      model: optionalString(raw, 'model', parent),
      provider: optionalString(raw, 'provider', parent),
      template: present(raw.template),
      tool_choice: present(raw.tool_choice),
      tools: optionalArray(raw, 'tools', parent),
    }),
  };
  const eventType = raw.event_type ?? 'model';
  if (eventType === 'model' && (typeof config.model !== 'string' || config.model === '')) {
    throw invalidField(
      fieldPath(parent, 'model'),
      'is required for a model event (as model or config.model)',
    );
  }
  const messages = optionalArray(raw, 'messages', parent);
  return {
    ...raw,
    config,
    inputs: {
      ...(optionalObject(raw, 'inputs', parent) ?? {}),
      ...definedEntries({ chat_history: messages }),
    },
    outputs: { ...(optionalObject(raw, 'outputs', parent) ?? {}), ...readResponse(raw, parent) },
    metadata: {
      ...(optionalObject(raw, 'metadata', parent) ?? {}),
      ...readUsage(raw, parent),
      ...definedEntries({ cost: optionalNonNegativeNumber(raw, 'cost', parent) }),
    },
  };
}

/** The model's answer: an object (e.g. `{role, content}`) is spread into outputs, a bare string becomes `content`. */
function readResponse(raw: JsonObject, parent: string): JsonObject {
  const response = raw.response;
  if (response === undefined || response === null) return {};
  if (typeof response === 'string') return { content: response };
  return optionalObject(raw, 'response', parent) ?? {};
}

/** `usage` token counts land in metadata, where HoneyHive keeps them and buildEvent reads them. */
function readUsage(raw: JsonObject, parent: string): JsonObject {
  const usage = optionalObject(raw, 'usage', parent);
  if (usage === undefined) return {};
  const path = fieldPath(parent, 'usage');
  return definedEntries({
    prompt_tokens: optionalNonNegativeNumber(usage, 'prompt_tokens', path),
    completion_tokens: optionalNonNegativeNumber(usage, 'completion_tokens', path),
    total_tokens: optionalNonNegativeNumber(usage, 'total_tokens', path),
  });
}

function optionalArray(raw: JsonObject, key: string, parent: string): unknown[] | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    throw invalidField(fieldPath(parent, key), `must be an array, got ${describeType(value)}`);
  }
  return value;
}

function present(value: unknown): unknown {
  return value === null ? undefined : value;
}

function definedEntries(entries: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}
