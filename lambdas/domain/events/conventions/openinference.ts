/**
 * OpenInference semantic conventions (Arize Phoenix instrumentations): openinference.span.kind,
 * llm.*, input.value / output.value, session.id, user.id, metadata, tag.tags, tool.*.
 * Attribute table: docs/normalization.md.
 */
import type { AttributeValue } from '../../otlp/model';
import type { AttributeConvention } from '../attribute-convention';
import { outputsFromMessages } from '../chat-messages';
import type { ConventionFields } from '../convention-fields';
import type { EventType } from '../event';
import {
  isArrayIndex,
  jsonFromAttribute,
  mergeInto,
  objectFromAttribute,
  parseJson,
  setOwn,
  setPath,
  toJsonValue,
} from '../json-path';
import { kindHint, metadataCount } from './metadata';

/** Mirrors the HoneyHive SDK's OpenInference mapping, except EMBEDDING, which is a priced model call. */
const SPAN_KIND_EVENT_TYPES: Record<string, EventType> = {
  LLM: 'model',
  EMBEDDING: 'model',
  TOOL: 'tool',
  RETRIEVER: 'tool',
  RERANKER: 'tool',
  GUARDRAIL: 'tool',
  CHAIN: 'chain',
  AGENT: 'chain',
  EVALUATOR: 'chain',
};

const INPUT_MESSAGES_PREFIX = 'llm.input_messages.';
const OUTPUT_MESSAGES_PREFIX = 'llm.output_messages.';
const TOOLS_PREFIX = 'llm.tools.';
const PROMPT_TEMPLATE_PREFIX = 'llm.prompt_template.';
const OUTPUT_MESSAGES = 'output_messages';

/**
 * OpenInference nests every message under wrapper segments
 * (`llm.input_messages.0.message.tool_calls.1.tool_call.function.name`); dropping them gives
 * HoneyHive's shape (`chat_history[0].tool_calls[1].function.name`).
 */
const WRAPPER_SEGMENTS = new Set(['message', 'tool_call', 'message_content', 'tool']);

/** The path of `key` after `prefix` without wrapper segments; undefined unless it starts with an index. */
function indexedPath(key: string, prefix: string): string[] | undefined {
  const path = key
    .slice(prefix.length)
    .split('.')
    .filter((segment) => !WRAPPER_SEGMENTS.has(segment));
  return isArrayIndex(path[0]) ? path : undefined;
}

const toUpperCase = (text: string) => text.toUpperCase();

/** input.value / output.value: parsed when the mime type says JSON, else the text as sent. */
function ioValue(value: unknown, mimeType: unknown): unknown {
  if (typeof value === 'string' && mimeType === 'application/json') return parseJson(value) ?? value;
  return value;
}

/** The keys outside llm.* that applyExact maps: a case added there for such a key belongs here too. */
const EXACT_KEYS = [
  'openinference.span.kind',
  'embedding.model_name',
  'input.value',
  'input.mime_type',
  'output.value',
  'output.mime_type',
  'session.id',
  'user.id',
  'metadata',
  'tag.tags',
  'tool.name',
  'tool.description',
  'tool.id',
  'tool.parameters',
  'tool_call.id',
  'tool_call.function.arguments',
];

function applyExact(key: string, value: AttributeValue, fields: ConventionFields): boolean {
  switch (key) {
    case 'openinference.span.kind':
      return kindHint(fields, 'span_kind', value, SPAN_KIND_EVENT_TYPES, { normalize: toUpperCase });
    case 'llm.model_name':
    case 'embedding.model_name':
      return fields.offerText('model', value, key === 'llm.model_name' ? 0 : 1);
    case 'llm.provider':
    case 'llm.system':
      return fields.offerText('provider', value, key === 'llm.provider' ? 0 : 1);
    case 'llm.token_count.prompt':
      return fields.offerCount('promptTokens', value);
    case 'llm.token_count.completion':
      return fields.offerCount('completionTokens', value);
    case 'llm.token_count.total':
      return fields.offerCount('totalTokens', value);
    case 'llm.token_count.prompt_details.cache_read':
      return metadataCount(fields, 'cached_input_tokens', value);
    case 'llm.token_count.prompt_details.cache_write':
      return metadataCount(fields, 'cache_creation_input_tokens', value);
    case 'llm.invocation_parameters': {
      const parameters = objectFromAttribute(value);
      if (parameters === undefined) return false;
      mergeInto(fields.section('config'), parameters);
      return true;
    }
    case 'input.value':
    case 'input.mime_type':
    case 'output.value':
    case 'output.mime_type':
      fields.remember(key, toJsonValue(value));
      return true;
    case 'session.id':
      return fields.offerText('sessionId', value);
    case 'user.id':
      setOwn(fields.section('user_properties'), 'user_id', toJsonValue(value));
      return true;
    case 'metadata': {
      const metadata = objectFromAttribute(value);
      if (metadata === undefined) return false;
      mergeInto(fields.section('metadata'), metadata);
      return true;
    }
    case 'tag.tags':
      setOwn(fields.section('metadata'), 'tags', toJsonValue(value));
      return true;
    case 'tool.name':
    case 'tool.description':
    case 'tool.id':
      return setPath(fields.section('metadata'), ['tool', key.slice(5)], toJsonValue(value));
    case 'tool.parameters':
      return setPath(fields.section('metadata'), ['tool', 'parameters'], jsonFromAttribute(value));
    case 'tool_call.id':
      return setPath(fields.section('metadata'), ['tool', 'call_id'], toJsonValue(value));
    case 'tool_call.function.arguments':
      setOwn(fields.section('inputs'), 'arguments', jsonFromAttribute(value));
      return true;
    default:
      return false;
  }
}

function applyPrefixed(key: string, value: AttributeValue, fields: ConventionFields): boolean {
  if (key.startsWith(INPUT_MESSAGES_PREFIX)) {
    const path = indexedPath(key, INPUT_MESSAGES_PREFIX);
    if (path === undefined) return false;
    return setPath(fields.section('inputs'), ['chat_history', ...path], toJsonValue(value));
  }
  if (key.startsWith(OUTPUT_MESSAGES_PREFIX)) {
    const path = indexedPath(key, OUTPUT_MESSAGES_PREFIX);
    if (path === undefined) return false;
    return setPath(fields.stashedObject(OUTPUT_MESSAGES), ['choices', ...path], toJsonValue(value));
  }
  if (key.startsWith(TOOLS_PREFIX)) {
    // llm.tools.N.tool.json_schema holds the tool definition as JSON.
    const path = indexedPath(key, TOOLS_PREFIX);
    if (path === undefined) return false;
    const parsed = jsonFromAttribute(value);
    if (path.length === 2 && path[1] === 'json_schema')
      return setPath(fields.section('config'), ['tools', path[0] as string], parsed);
    return setPath(fields.section('config'), ['tools', ...path], parsed);
  }
  if (key.startsWith(PROMPT_TEMPLATE_PREFIX)) {
    const name = key.slice(PROMPT_TEMPLATE_PREFIX.length);
    const parsed = name === 'variables' ? jsonFromAttribute(value) : toJsonValue(value);
    return setPath(fields.section('config'), ['prompt_template', name], parsed);
  }
  return false;
}

export const openInferenceConvention: AttributeConvention = {
  name: 'openinference',
  // llm.* is shared with Traceloop (which comes later).
  keyPrefixes: ['llm.'],
  exactKeys: EXACT_KEYS,
  apply(key, value, fields) {
    return applyExact(key, value, fields) || applyPrefixed(key, value, fields);
  },
  finish(fields) {
    const input = fields.recall('input.value');
    if (input !== undefined)
      setOwn(fields.section('inputs'), 'value', ioValue(input, fields.recall('input.mime_type')));
    const output = fields.recall('output.value');
    if (output !== undefined)
      setOwn(fields.section('outputs'), 'value', ioValue(output, fields.recall('output.mime_type')));
    const messages = fields.recall(OUTPUT_MESSAGES) as { choices?: unknown[] } | undefined;
    if (messages?.choices !== undefined) outputsFromMessages(messages.choices, fields.section('outputs'));
  },
};
