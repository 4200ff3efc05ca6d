/**
 * Traceloop / OpenLLMetry conventions: traceloop.span.kind, traceloop.entity.*,
 * traceloop.association.properties.*, and its llm.* extras (llm.request.type,
 * llm.usage.total_tokens, ...). Its gen_ai.prompt.N.* attributes are handled by the GenAI module.
 */
import type { AttributeValue } from '../../otlp/model';
import type { AttributeConvention } from '../attribute-convention';
import type { ConventionFields } from '../convention-fields';
import type { EventType } from '../event';
import {
  jsonFromAttribute,
  mergeInto,
  objectFromAttribute,
  setOwn,
  setPath,
  toJsonValue,
} from '../json-path';
import { kindHint, mappedValue } from './metadata';

const SPAN_KIND_EVENT_TYPES: Record<string, EventType> = {
  workflow: 'chain',
  task: 'chain',
  agent: 'chain',
  tool: 'tool',
};

const REQUEST_TYPE_EVENT_TYPES: Record<string, EventType> = {
  chat: 'model',
  completion: 'model',
  embedding: 'model',
  rerank: 'tool',
};

const ASSOCIATION_PREFIX = 'traceloop.association.properties.';
const FUNCTIONS_PREFIX = 'llm.request.functions.';

/** Request parameters Traceloop writes outside gen_ai.request.* (config key on the right). */
const CONFIG_KEYS: Record<string, string> = {
  'llm.top_k': 'top_k',
  'llm.frequency_penalty': 'frequency_penalty',
  'llm.presence_penalty': 'presence_penalty',
  'llm.chat.stop_sequences': 'stop_sequences',
  'llm.request.repetition_penalty': 'repetition_penalty',
};

/** Attributes kept as they are in metadata (metadata key on the right). */
const METADATA_KEYS: Record<string, string> = {
  'traceloop.entity.path': 'entity_path',
  'traceloop.entity.version': 'entity_version',
  'traceloop.workflow.name': 'workflow_name',
  'llm.is_streaming': 'is_streaming',
  'llm.response.finish_reason': 'finish_reason',
  'llm.response.stop_reason': 'finish_reason',
};

const toLowerCase = (text: string) => text.toLowerCase();

/** entity.input / entity.output are JSON; an object spreads into the section, anything else goes under `value`. */
function entityValue(value: AttributeValue, fields: ConventionFields, section: 'inputs' | 'outputs'): void {
  const object = objectFromAttribute(value);
  if (object !== undefined) {
    mergeInto(fields.section(section), object);
    return;
  }
  setOwn(fields.section(section), 'value', jsonFromAttribute(value));
}

function applyAssociation(name: string, value: AttributeValue, fields: ConventionFields): boolean {
  if (name === '') return false;
  switch (name) {
    case 'session_id':
      return fields.offerText('sessionId', value);
    case 'project':
      return fields.offerText('projectName', value);
    case 'source':
      return fields.offerText('source', value);
    case 'user_id':
      setOwn(fields.section('user_properties'), 'user_id', toJsonValue(value));
      return true;
    default:
      setOwn(fields.section('metadata'), name, toJsonValue(value));
      return true;
  }
}

function applyExact(key: string, value: AttributeValue, fields: ConventionFields): boolean {
  switch (key) {
    case 'traceloop.span.kind':
      // Rank 1: an llm.request.type on the same span is more specific than the entity kind.
      return kindHint(fields, 'span_kind', value, SPAN_KIND_EVENT_TYPES, { normalize: toLowerCase, rank: 1 });
    case 'llm.request.type':
      return kindHint(fields, 'operation_name', value, REQUEST_TYPE_EVENT_TYPES, { normalize: toLowerCase });
    case 'traceloop.entity.name':
      return fields.offerText('eventName', value);
    case 'traceloop.entity.input':
      entityValue(value, fields, 'inputs');
      return true;
    case 'traceloop.entity.output':
      entityValue(value, fields, 'outputs');
      return true;
    case 'llm.usage.total_tokens':
      return fields.offerCount('totalTokens', value);
    case 'llm.user':
      setOwn(fields.section('user_properties'), 'user_id', toJsonValue(value));
      return true;
    case 'llm.headers':
      setOwn(fields.section('metadata'), 'request_headers', jsonFromAttribute(value));
      return true;
    default:
      return (
        mappedValue(fields, 'metadata', METADATA_KEYS, key, value) ||
        mappedValue(fields, 'config', CONFIG_KEYS, key, value)
      );
  }
}

export const traceloopConvention: AttributeConvention = {
  name: 'traceloop',
  // llm.* keys OpenInference (earlier in the list) does not map: llm.request.type, llm.usage.*, ...
  keyPrefixes: ['traceloop.', 'llm.'],
  exactKeys: [],
  apply(key, value, fields) {
    if (applyExact(key, value, fields)) return true;
    if (key.startsWith(ASSOCIATION_PREFIX))
      return applyAssociation(key.slice(ASSOCIATION_PREFIX.length), value, fields);
    if (key.startsWith(FUNCTIONS_PREFIX)) {
      return setPath(
        fields.section('config'),
        ['functions', ...key.slice(FUNCTIONS_PREFIX.length).split('.')],
        toJsonValue(value),
      );
    }
    return false;
  },
};
