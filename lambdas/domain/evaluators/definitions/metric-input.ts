/**
 * Reads a metric as HoneyHive's API receives it (POST /metrics, PUT /metrics, and the metric of
 * POST /metrics/run_metric) into a version's content. Two dialects are read:
 * - the `honeyhive` 1.0.42 client's Metric and MetricEdit: `type` custom | model | human | composite,
 *   `code_snippet`, `prompt`, `task` (the project's name), `pass_when`, and `metric_id` on updates;
 * - HoneyHive's newer API reference: `type` PYTHON | LLM | HUMAN | COMPOSITE, `criteria` holding the
 *   code of a Python metric or the prompt of an LLM one, `sampling_percentage`, `threshold.pass_when`,
 *   `filters: { filterArray }`, and `id` on updates;
 * and Waggle's `judge_budget_usd_per_day`. Strict: an unknown field, a wrong type or a feature
 * Waggle lacks (categorical metrics, scales) is a ValidationError naming it, and nothing is stored.
 * `null` clears an optional field; an empty string for the code, prompt or model fields of another
 * type of metric counts as absent (forms send them).
 */
import { ValidationError } from '../../errors';
import { parseFilters } from '../../read-api/filters';
import type { ChildMetric, EvaluatorType } from '../evaluator';
import { CONTENT_FIELDS, checkMetricContent, fieldBelongsTo, type MetricContent } from './metric-content';

type Json = Record<string, unknown>;

/** HoneyHive's newer type names, as the API reference spells them. */
const TYPE_ALIASES: Record<string, EvaluatorType> = {
  custom: 'custom',
  model: 'model',
  human: 'human',
  composite: 'composite',
  PYTHON: 'custom',
  LLM: 'model',
  HUMAN: 'human',
  COMPOSITE: 'composite',
};

const BODY_FIELDS = [
  'name',
  'type',
  'criteria',
  'description',
  'code_snippet',
  'prompt',
  'task',
  'project',
  'return_type',
  'enabled_in_prod',
  'needs_ground_truth',
  'sampling_percentage',
  'threshold',
  'pass_when',
  'event_name',
  'event_type',
  'model_provider',
  'model_name',
  'judge_budget_usd_per_day',
  'child_metrics',
  'filters',
  'scale',
  'categories',
];
const UPDATE_ID_FIELDS = ['metric_id', 'id'];

/** What a body says about a version: the fields it sets and those it clears (null). */
export interface MetricPatch {
  set: Partial<MetricContent>;
  cleared: Set<keyof MetricContent>;
}

export interface CreateMetricInput {
  /** HoneyHive's `task` (1.0.42) or `project`: the project's name or id, checked against the caller's. */
  project?: string;
  content: MetricContent;
}

/** POST /metrics: a whole metric. */
export function readCreateMetricInput(body: unknown): CreateMetricInput {
  const value = object(body, 'body');
  if (value._id !== undefined || value.id !== undefined)
    throw new ValidationError('a new metric gets its id from the platform: leave out _id and id');
  onlyFields(value, BODY_FIELDS);
  const patch = readMetricPatch(value);
  const input: CreateMetricInput = { content: newMetricContent(patch) };
  const project = projectNamed(value);
  if (project !== undefined) input.project = project;
  return input;
}

/** A whole version from a patch with the defaults filled in (a new metric, or a metric to run). */
export function newMetricContent(patch: MetricPatch): MetricContent {
  if (patch.set.name === undefined) throw new ValidationError('name is required');
  if (patch.set.type === undefined)
    throw new ValidationError('type is required: custom, model, human or composite');
  const content: MetricContent = {
    name: patch.set.name,
    type: patch.set.type,
    description: '',
    returnType: 'float',
    needsGroundTruth: false,
    enabledInProd: false,
    samplingPercentage: 100,
    filters: [],
    ...patch.set,
  };
  return checkMetricContent(criteriaStandsIn(content, patch));
}

export interface UpdateMetricInput {
  id: string;
  project?: string;
  patch: MetricPatch;
}

/** PUT /metrics: the metric's id (`metric_id` or `id`) and the fields that change. */
export function readUpdateMetricInput(body: unknown): UpdateMetricInput {
  const value = object(body, 'body');
  onlyFields(value, [...BODY_FIELDS, ...UPDATE_ID_FIELDS]);
  const ids = UPDATE_ID_FIELDS.map((field) => value[field]).filter((id) => id !== undefined && id !== null);
  if (ids.length === 0) throw new ValidationError('metric_id is required');
  if (ids.length > 1 && ids[0] !== ids[1])
    throw new ValidationError('metric_id and id name different metrics');
  const id = ids[0];
  if (typeof id !== 'string' || id.trim() === '')
    throw new ValidationError('metric_id must be a non-empty string');
  const input: UpdateMetricInput = { id: id.trim(), patch: readMetricPatch(value) };
  const project = projectNamed(value);
  if (project !== undefined) input.project = project;
  return input;
}

/**
 * The next version: the current one with the patch applied. A change of type drops what only the
 * old type meant (its code, prompt, model or children) unless the patch sets it again.
 */
export function applyMetricPatch(current: MetricContent, patch: MetricPatch): MetricContent {
  const type = patch.set.type ?? current.type;
  const next: Record<string, unknown> = {};
  for (const field of CONTENT_FIELDS) {
    if (current[field] !== undefined && fieldBelongsTo(field, type) && !patch.cleared.has(field))
      next[field] = current[field];
  }
  for (const [field, value] of Object.entries(patch.set)) if (value !== undefined) next[field] = value;
  // A return type changed without a new threshold or pass_when drops the one that no longer applies.
  const content = next as unknown as MetricContent;
  if (patch.set.returnType !== undefined) {
    if (content.returnType !== 'float' && patch.set.threshold === undefined) delete content.threshold;
    if (content.returnType !== 'boolean' && patch.set.passWhen === undefined) delete content.passWhen;
  }
  return checkMetricContent(criteriaStandsIn(content, patch));
}

/** Reads every content field a body holds, with the wire's names and spellings. */
export function readMetricPatch(value: Json): MetricPatch {
  const set: Partial<MetricContent> = {};
  const cleared = new Set<keyof MetricContent>();
  const field = <K extends keyof MetricContent>(
    key: K,
    wire: string,
    read: (raw: unknown, wire: string) => MetricContent[K] | undefined,
  ) => {
    const raw = value[wire];
    if (raw === undefined) return;
    if (raw === null) {
      cleared.add(key);
      return;
    }
    const read_ = read(raw, wire);
    if (read_ !== undefined) set[key] = read_;
  };
  field('name', 'name', (raw, wire) => string(raw, wire).trim());
  field('type', 'type', metricType);
  field('description', 'description', string);
  field('criteria', 'criteria', string);
  field('codeSnippet', 'code_snippet', optionalText);
  field('prompt', 'prompt', optionalText);
  field('returnType', 'return_type', returnType);
  field('enabledInProd', 'enabled_in_prod', boolean);
  field('needsGroundTruth', 'needs_ground_truth', boolean);
  field('samplingPercentage', 'sampling_percentage', number);
  field('eventName', 'event_name', optionalText);
  field('eventType', 'event_type', string as (raw: unknown, wire: string) => MetricContent['eventType']);
  field('modelProvider', 'model_provider', optionalText);
  field('modelName', 'model_name', optionalText);
  field('judgeBudgetUsdPerDay', 'judge_budget_usd_per_day', number);
  field('childMetrics', 'child_metrics', childMetrics);
  field('filters', 'filters', filters);
  readThreshold(value, set, cleared);
  if (value.scale !== undefined && value.scale !== null)
    throw new ValidationError('scale is not supported: a score keeps the value the metric returns');
  if (value.categories !== undefined && value.categories !== null)
    throw new ValidationError(
      'categorical metrics are not supported: return_type is boolean, float or string',
    );
  if (set.filters === undefined && cleared.has('filters')) {
    cleared.delete('filters');
    set.filters = [];
  }
  return { set, cleared };
}

/** `threshold` {min, max} and pass_when, top-level (1.0.42) or inside the threshold (newer). */
function readThreshold(value: Json, set: Partial<MetricContent>, cleared: Set<keyof MetricContent>): void {
  let passWhen: unknown = value.pass_when;
  if (value.threshold === null) cleared.add('threshold');
  else if (value.threshold !== undefined) {
    const threshold = object(value.threshold, 'threshold');
    const { min, max, pass_when, passing_categories, ...rest } = threshold;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw new ValidationError(`unknown field "threshold.${unknown}"`);
    if (passing_categories !== undefined)
      throw new ValidationError('categorical metrics are not supported: threshold.passing_categories');
    if (pass_when !== undefined) {
      if (passWhen !== undefined && passWhen !== pass_when)
        throw new ValidationError('pass_when and threshold.pass_when disagree');
      passWhen = pass_when;
    }
    if (min !== undefined || max !== undefined) {
      set.threshold = {};
      if (min !== undefined && min !== null) set.threshold.min = number(min, 'threshold.min');
      if (max !== undefined && max !== null) set.threshold.max = number(max, 'threshold.max');
    } else if (pass_when === undefined) cleared.add('threshold');
  }
  if (passWhen === null) cleared.add('passWhen');
  else if (passWhen !== undefined) {
    if (typeof passWhen !== 'boolean')
      throw new ValidationError(
        'pass_when must be true or false (a float metric passes by threshold.min/max)',
      );
    set.passWhen = passWhen;
  }
}

/** HoneyHive's newer dialect puts a Python metric's code, or an LLM metric's prompt, in `criteria`. */
function criteriaStandsIn(content: MetricContent, patch: MetricPatch): MetricContent {
  const criteria = patch.set.criteria;
  if (criteria === undefined || criteria.trim() === '') return content;
  if (content.type === 'custom' && patch.set.codeSnippet === undefined && content.codeSnippet === undefined)
    return { ...content, codeSnippet: criteria };
  if (content.type === 'model' && patch.set.prompt === undefined && content.prompt === undefined)
    return { ...content, prompt: criteria };
  return content;
}

function projectNamed(value: Json): string | undefined {
  for (const field of ['task', 'project']) {
    const named = value[field];
    if (named === undefined || named === null) continue;
    if (typeof named !== 'string' || named.trim() === '')
      throw new ValidationError(`${field} must be the project's name`);
    return named.trim();
  }
  return undefined;
}

/** A metric type in either spelling (custom or PYTHON, model or LLM, ...). */
export function readMetricType(raw: unknown, wire: string): EvaluatorType {
  return metricType(raw, wire);
}

function metricType(raw: unknown, wire: string): EvaluatorType {
  const type = typeof raw === 'string' ? TYPE_ALIASES[raw] : undefined;
  if (type === undefined)
    throw new ValidationError(
      `${wire} must be one of custom, model, human, composite (or PYTHON, LLM, HUMAN, COMPOSITE)`,
    );
  return type;
}

function returnType(raw: unknown, wire: string): MetricContent['returnType'] {
  if (raw === 'categorical')
    throw new ValidationError(
      'categorical metrics are not supported: return_type is boolean, float or string',
    );
  if (raw !== 'boolean' && raw !== 'float' && raw !== 'string')
    throw new ValidationError(`${wire} must be one of boolean, float, string`);
  return raw;
}

function childMetrics(raw: unknown, wire: string): ChildMetric[] {
  if (!Array.isArray(raw)) throw new ValidationError(`${wire} must be a list of { name, weight }`);
  return raw.map((item, index) => {
    const child = object(item, `${wire}[${index}]`);
    const { id, name, weight, scale, ...rest } = child;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw new ValidationError(`unknown field "${wire}[${index}].${unknown}"`);
    if (scale !== undefined && scale !== null)
      throw new ValidationError(`${wire}[${index}].scale is not supported`);
    const read: ChildMetric = {
      name: string(name, `${wire}[${index}].name`).trim(),
      weight: number(weight, `${wire}[${index}].weight`),
    };
    if (id !== undefined && id !== null) read.id = string(id, `${wire}[${index}].id`).trim();
    return read;
  });
}

/** A plain list of HoneyHive filters, or the newer `{ filterArray: [...] }`. */
function filters(raw: unknown, wire: string): MetricContent['filters'] {
  let list = raw;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const { filterArray, ...rest } = raw as Json;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw new ValidationError(`unknown field "${wire}.${unknown}"`);
    list = filterArray ?? [];
  }
  if (!Array.isArray(list)) throw new ValidationError(`${wire} must be a list of filters or { filterArray }`);
  return parseFilters(list, wire);
}

function string(raw: unknown, wire: string): string {
  if (typeof raw !== 'string') throw new ValidationError(`${wire} must be a string`);
  return raw;
}

function optionalText(raw: unknown, wire: string): string | undefined {
  const text = string(raw, wire);
  return text.trim() === '' ? undefined : text;
}

function number(raw: unknown, wire: string): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new ValidationError(`${wire} must be a number`);
  return raw;
}

function boolean(raw: unknown, wire: string): boolean {
  if (typeof raw !== 'boolean') throw new ValidationError(`${wire} must be true or false`);
  return raw;
}

function object(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ValidationError(`${field} must be a JSON object`);
  return value as Json;
}

function onlyFields(value: Json, allowed: readonly string[]): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key)) throw new ValidationError(`unknown field "${key}"`);
}
