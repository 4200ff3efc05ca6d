/**
 * HoneyHive conventions, as written by the HoneyHive Python and TypeScript SDKs:
 * honeyhive_<section>.<dotted.path> for the JSON sections, honeyhive_event_type / _name / _error,
 * and the session, project and source copied from baggage (honeyhive.session_id, session_id, ...).
 */
import type { AttributeValue } from '../../otlp/model';
import type { AttributeConvention } from '../attribute-convention';
import type { ConventionFields, ScalarField, SectionName } from '../convention-fields';
import {
  countFromAttribute,
  keyPaths,
  mergeInto,
  numberFromAttribute,
  objectFromAttribute,
  setOwn,
  setPath,
  toJsonValue,
} from '../json-path';
import { mappedValue } from './metadata';

interface SectionPrefix {
  prefix: string;
  section: SectionName;
  /** Path of `<prefix>.<path>` keys, cached per key. */
  paths: (key: string) => readonly string[];
}

function sectionPrefix(prefix: string, section: SectionName): SectionPrefix {
  return { prefix, section, paths: keyPaths(prefix.length + 1) };
}

/** Attribute prefix -> section. `honeyhive_inputs.chat_history.0.role` -> inputs.chat_history[0].role. */
const SECTION_PREFIXES: readonly SectionPrefix[] = [
  sectionPrefix('honeyhive_inputs', 'inputs'),
  sectionPrefix('honeyhive_outputs', 'outputs'),
  sectionPrefix('honeyhive_config', 'config'),
  sectionPrefix('honeyhive_metadata', 'metadata'),
  sectionPrefix('honeyhive_metrics', 'metrics'),
  sectionPrefix('honeyhive_feedback', 'feedback'),
  sectionPrefix('honeyhive_user_properties', 'user_properties'),
];

/** Text attributes naming one field, most specific name first (rank = position). */
const TEXT_FIELDS: Record<string, readonly [ScalarField, number]> = {
  honeyhive_event_type_raw: ['explicitEventType', 0],
  honeyhive_event_type: ['explicitEventType', 1],
  honeyhive_event_name: ['eventName', 0],
  honeyhive_session_id: ['sessionId', 0],
  'honeyhive.session_id': ['sessionId', 1],
  session_id: ['sessionId', 2],
  honeyhive_project: ['projectName', 0],
  'honeyhive.project': ['projectName', 1],
  project: ['projectName', 2],
  honeyhive_source: ['source', 0],
  'honeyhive.source': ['source', 1],
  source: ['source', 2],
};

/** Evaluation and experiment context the SDKs copy from baggage; kept under metadata with the key on the right. */
const METADATA_FIELDS: Record<string, string> = {
  run_id: 'run_id',
  dataset_id: 'dataset_id',
  datapoint_id: 'datapoint_id',
  'honeyhive.run_id': 'run_id',
  'honeyhive.dataset_id': 'dataset_id',
  'honeyhive.datapoint_id': 'datapoint_id',
  'honeyhive.experiment_id': 'experiment_id',
  'honeyhive.experiment_name': 'experiment_name',
  'honeyhive.experiment_variant': 'experiment_variant',
  'honeyhive.experiment_group': 'experiment_group',
  honeyhive_session_name: 'session_name',
};

const EXPERIMENT_METADATA_PREFIX = 'honeyhive.experiment_metadata.';

/** Every honeyhive_* and honeyhive.* attribute. */
const PREFIX = 'honeyhive';

function applySection(key: string, value: AttributeValue, fields: ConventionFields): boolean | undefined {
  for (const { prefix, section, paths } of SECTION_PREFIXES) {
    if (!key.startsWith(prefix)) continue;
    if (key.length === prefix.length) {
      // A whole section sent as one JSON attribute; a non-object value is kept under `value`.
      const object = objectFromAttribute(value);
      if (object !== undefined) mergeInto(fields.section(section), object);
      else setOwn(fields.section(section), 'value', toJsonValue(value));
      return true;
    }
    if (key.charCodeAt(prefix.length) !== 46 /* . */) continue;
    return setPath(fields.section(section), paths(key), toJsonValue(value));
  }
  return undefined;
}

function errorText(value: AttributeValue): string | undefined {
  if (value === null || value === '' || value === false) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(toJsonValue(value));
}

/** HoneyHive model events carry usage in metadata and the model in config; promote them to the event's fields. */
function promoteUsage(fields: ConventionFields): void {
  const metadata = fields.sections.metadata;
  if (metadata !== undefined) {
    const usage: ReadonlyArray<readonly [string, 'promptTokens' | 'completionTokens' | 'totalTokens']> = [
      ['prompt_tokens', 'promptTokens'],
      ['completion_tokens', 'completionTokens'],
      ['total_tokens', 'totalTokens'],
    ];
    for (const [key, field] of usage) {
      const n = countFromAttribute(metadata[key] as AttributeValue);
      if (n !== undefined) fields.offer(field, n, 1);
    }
    const cost = numberFromAttribute(metadata.cost as AttributeValue);
    if (cost !== undefined && cost >= 0) fields.offer('cost', cost, 1);
  }
  const config = fields.sections.config;
  if (config !== undefined) {
    if (typeof config.model === 'string' && config.model !== '') fields.offer('model', config.model, 1);
    if (typeof config.provider === 'string' && config.provider !== '')
      fields.offer('provider', config.provider, 1);
  }
}

export const honeyHiveConvention: AttributeConvention = {
  name: 'honeyhive',
  // honeyhive_* and honeyhive.*, and the bare baggage copies (session_id, project, run_id, ...).
  keyPrefixes: [PREFIX],
  exactKeys: [...Object.keys(TEXT_FIELDS), ...Object.keys(METADATA_FIELDS)].filter(
    (key) => !key.startsWith(PREFIX),
  ),
  apply(key, value, fields) {
    const textField = TEXT_FIELDS[key];
    if (textField !== undefined) {
      if (typeof value !== 'string' || value === '') return false;
      fields.offer(textField[0], value, textField[1]);
      return true;
    }
    if (key === 'honeyhive_error') {
      const error = errorText(value);
      if (error === undefined) return false;
      fields.offer('error', error);
      return true;
    }
    if (key === 'honeyhive_user_id') {
      setOwn(fields.section('user_properties'), 'user_id', toJsonValue(value));
      return true;
    }
    if (mappedValue(fields, 'metadata', METADATA_FIELDS, key, value)) return true;
    if (key.startsWith(EXPERIMENT_METADATA_PREFIX)) {
      return setPath(
        fields.section('metadata'),
        ['experiment_metadata', key.slice(EXPERIMENT_METADATA_PREFIX.length)],
        toJsonValue(value),
      );
    }
    return applySection(key, value, fields) ?? false;
  },
  finish: promoteUsage,
};
