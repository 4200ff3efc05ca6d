/**
 * OpenTelemetry GenAI semantic conventions (gen_ai.*), current names and the deprecated ones
 * still emitted by older instrumentations (gen_ai.system, gen_ai.usage.prompt_tokens,
 * gen_ai.prompt.N.*), and the GenAI span events (gen_ai.user.message, gen_ai.choice, ...).
 * Attribute table: docs/normalization.md.
 */
import type { AttributeValue } from '../../otlp/model';
import type { AttributeConvention } from '../attribute-convention';
import { outputsFromMessages, toChatHistory } from '../chat-messages';
import type { ConventionFields } from '../convention-fields';
import type { EventType, JsonObject } from '../event';
import {
  arrayFromAttribute,
  isArrayIndex,
  jsonFromAttribute,
  keyPaths,
  setPath,
  textFromAttribute,
  toJsonValue,
} from '../json-path';
import { kindHint, metadataCount, metadataValue } from './metadata';

const OPERATION_EVENT_TYPES: Record<string, EventType> = {
  chat: 'model',
  text_completion: 'model',
  completion: 'model',
  generate_content: 'model',
  embeddings: 'model',
  execute_tool: 'tool',
  invoke_agent: 'chain',
  create_agent: 'chain',
  invoke_workflow: 'chain',
};

const PROMPT_PREFIX = 'gen_ai.prompt.';
const COMPLETION_PREFIX = 'gen_ai.completion.';
const REQUEST_PREFIX = 'gen_ai.request.';
const AGENT_PREFIX = 'gen_ai.agent.';
const TOOL_PREFIX = 'gen_ai.tool.';

const INPUT_MESSAGES = 'gen_ai.input.messages';
const SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
const OUTPUT_MESSAGES = 'gen_ai.output.messages';
const LEGACY_COMPLETIONS = 'legacy_completions';
const EVENT_INPUT_MESSAGES = 'event_input_messages';
const EVENT_CHOICES = 'event_choices';
const HAS_MODEL = 'has_model';

function applyExact(key: string, value: AttributeValue, fields: ConventionFields): boolean {
  switch (key) {
    case 'gen_ai.provider.name':
    case 'gen_ai.system':
      return fields.offerText('provider', value, key === 'gen_ai.system' ? 1 : 0);
    case 'gen_ai.request.model':
    case 'gen_ai.response.model': {
      const model = textFromAttribute(value);
      if (model === undefined) return false;
      // The requested name is what users filter by; the response's dated name is kept beside it.
      if (key === 'gen_ai.response.model') metadataValue(fields, 'response_model', model);
      fields.offer('model', model, key === 'gen_ai.request.model' ? 0 : 1);
      fields.remember(HAS_MODEL, true);
      return true;
    }
    case 'gen_ai.operation.name':
      return kindHint(fields, 'operation_name', value, OPERATION_EVENT_TYPES);
    case 'gen_ai.usage.input_tokens':
      return fields.offerCount('promptTokens', value, 0);
    case 'gen_ai.usage.prompt_tokens':
      return fields.offerCount('promptTokens', value, 1);
    case 'gen_ai.usage.output_tokens':
      return fields.offerCount('completionTokens', value, 0);
    case 'gen_ai.usage.completion_tokens':
      return fields.offerCount('completionTokens', value, 1);
    case 'gen_ai.usage.total_tokens':
      return fields.offerCount('totalTokens', value, 0);
    case 'gen_ai.usage.cache_read.input_tokens':
      return metadataCount(fields, 'cached_input_tokens', value);
    case 'gen_ai.usage.cache_read_input_tokens':
      return metadataCount(fields, 'cached_input_tokens', value, true);
    case 'gen_ai.usage.cache_creation.input_tokens':
      return metadataCount(fields, 'cache_creation_input_tokens', value);
    case 'gen_ai.usage.cache_creation_input_tokens':
      return metadataCount(fields, 'cache_creation_input_tokens', value, true);
    case 'gen_ai.conversation.id':
      return fields.offerText('sessionId', value);
    case INPUT_MESSAGES:
    case OUTPUT_MESSAGES:
    case 'gen_ai.prompt':
    case 'gen_ai.completion': {
      const messages = arrayFromAttribute(value);
      if (messages === undefined) return false;
      // gen_ai.prompt / gen_ai.completion are the older single-attribute forms of the same data.
      const target = key === INPUT_MESSAGES || key === 'gen_ai.prompt' ? INPUT_MESSAGES : OUTPUT_MESSAGES;
      if (key.endsWith('messages') || fields.recall(target) === undefined) fields.remember(target, messages);
      return true;
    }
    case SYSTEM_INSTRUCTIONS: {
      if (typeof value === 'string' && value === '') return false;
      fields.remember(SYSTEM_INSTRUCTIONS, jsonFromAttribute(value));
      return true;
    }
    case 'gen_ai.tool.definitions': {
      const tools = arrayFromAttribute(value);
      if (tools === undefined) return false;
      fields.section('config').tools = tools;
      return true;
    }
    case 'gen_ai.tool.call.arguments':
      fields.section('inputs').arguments = jsonFromAttribute(value);
      return true;
    case 'gen_ai.tool.call.result':
      fields.section('outputs').result = jsonFromAttribute(value);
      return true;
    case 'gen_ai.response.id':
      metadataValue(fields, 'response_id', toJsonValue(value));
      return true;
    case 'gen_ai.response.finish_reasons':
      metadataValue(fields, 'finish_reasons', toJsonValue(value));
      return true;
    default:
      return false;
  }
}

const promptPaths = keyPaths(PROMPT_PREFIX.length, 'chat_history');
const completionPaths = keyPaths(COMPLETION_PREFIX.length, 'choices');
const requestPaths = keyPaths(REQUEST_PREFIX.length);
const agentPaths = keyPaths(AGENT_PREFIX.length, 'agent');
const toolPaths = keyPaths(TOOL_PREFIX.length, 'tool');

function applyPrefixed(key: string, value: AttributeValue, fields: ConventionFields): boolean {
  if (key.startsWith(PROMPT_PREFIX)) {
    const path = promptPaths(key);
    if (!isArrayIndex(path[1])) return false;
    return setPath(fields.section('inputs'), path, toJsonValue(value));
  }
  if (key.startsWith(COMPLETION_PREFIX)) {
    const path = completionPaths(key);
    if (!isArrayIndex(path[1])) return false;
    return setPath(fields.stashedObject(LEGACY_COMPLETIONS), path, toJsonValue(value));
  }
  if (key.startsWith(REQUEST_PREFIX)) {
    return setPath(fields.section('config'), requestPaths(key), toJsonValue(value));
  }
  if (key.startsWith(AGENT_PREFIX)) {
    return setPath(fields.section('metadata'), agentPaths(key), toJsonValue(value));
  }
  if (key.startsWith(TOOL_PREFIX)) {
    return setPath(fields.section('metadata'), toolPaths(key), toJsonValue(value));
  }
  return false;
}

function systemMessages(instructions: unknown): unknown[] {
  if (instructions === undefined) return [];
  // Current form: an array of parts; older SDKs send a plain string.
  if (Array.isArray(instructions)) return [{ role: 'system', parts: instructions }];
  return [
    {
      role: 'system',
      content: typeof instructions === 'string' ? instructions : JSON.stringify(instructions),
    },
  ];
}

/** Span events whose `content` attribute is one input message (as emitted by e.g. AWS Strands). */
const MESSAGE_EVENT_ROLES: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

/** Span events whose attributes are gen_ai.* attributes in their own right. */
const ATTRIBUTE_EVENTS = new Set([
  'gen_ai.client.inference.operation.details',
  'gen_ai.content.prompt',
  'gen_ai.content.completion',
]);

function parsed(value: AttributeValue | undefined): unknown {
  return value === undefined ? undefined : jsonFromAttribute(value);
}

export const genAiConvention: AttributeConvention = {
  name: 'gen_ai',
  keyPrefixes: ['gen_ai.'],
  exactKeys: [],
  apply(key, value, fields) {
    return applyExact(key, value, fields) || applyPrefixed(key, value, fields);
  },
  spanEvent(name, attributes, fields) {
    const role = MESSAGE_EVENT_ROLES[name];
    if (role !== undefined) {
      const message: JsonObject = { role };
      const content = parsed(attributes.content);
      if (content !== undefined) message.content = content;
      fields.stashedList(EVENT_INPUT_MESSAGES).push(message);
    } else if (name === 'gen_ai.choice') {
      const message = parsed(attributes.message);
      const choice: JsonObject =
        typeof message === 'object' && message !== null && !Array.isArray(message)
          ? { ...(message as JsonObject) }
          : {};
      if (choice.role === undefined) choice.role = 'assistant';
      if (choice.content === undefined && attributes.content !== undefined)
        choice.content = parsed(attributes.content);
      if (attributes.finish_reason !== undefined)
        choice.finish_reason = toJsonValue(attributes.finish_reason);
      fields.stashedList(EVENT_CHOICES).push(choice);
    } else if (ATTRIBUTE_EVENTS.has(name)) {
      for (const key of Object.keys(attributes))
        genAiConvention.apply(key, attributes[key] as AttributeValue, fields);
    }
  },
  finish(fields) {
    // Messages carried by span events fill inputs/outputs only when the attributes (span or
    // operation-details event) did not already provide them.
    const inputMessages = (fields.recall(INPUT_MESSAGES) ?? fields.recall(EVENT_INPUT_MESSAGES)) as
      | unknown[]
      | undefined;
    const instructions = fields.recall(SYSTEM_INSTRUCTIONS);
    if (inputMessages !== undefined || instructions !== undefined) {
      // The structured attribute replaces any gen_ai.prompt.N.* flattening of the same messages.
      fields.section('inputs').chat_history = toChatHistory([
        ...systemMessages(instructions),
        ...(inputMessages ?? []),
      ]);
    }
    const outputMessages = fields.recall(OUTPUT_MESSAGES) as unknown[] | undefined;
    const legacy = fields.recall(LEGACY_COMPLETIONS) as { choices?: unknown[] } | undefined;
    const completions =
      outputMessages ??
      (legacy === undefined ? (fields.recall(EVENT_CHOICES) as unknown[] | undefined) : legacy.choices);
    if (completions !== undefined) outputsFromMessages(completions, fields.section('outputs'));
    // Older instrumentations set no operation name; a provider plus a model still means a model call.
    if (
      fields.scalars.eventTypeHint === undefined &&
      fields.recall(HAS_MODEL) === true &&
      fields.scalars.provider !== undefined
    ) {
      fields.offer('eventTypeHint', 'model', 9);
    }
  },
};
