/**
 * What one version of a metric (an evaluator) holds, and the rules every version obeys whatever
 * dialect it arrived in: the API's bodies (metric-input.ts) and the synced payloads (synced.ts) are
 * both checked here, so a data plane never holds a version the control plane would have refused.
 *
 * - custom: a Python snippet that defines a function (the first one defined is called with the
 *   event), at most MAX_CODE_BYTES;
 * - model: a judge prompt (its {{variables}} name keys of the event), a known provider and a model;
 * - human: nothing to run (reviewers score it);
 * - composite: weighted children (their existence in the project is checked by metrics.ts), scoring
 *   a float or a boolean;
 * - float metrics may have a threshold {min, max} (min <= max), boolean ones pass_when;
 * - sampling_percentage within 0..100; filters in HoneyHive's grammar, checked as the read API and
 *   online selection check them.
 */

import { templateVariables } from '../../configurations/template-variables';
import { TooLargeError, ValidationError } from '../../errors';
import { EVENT_TYPES } from '../../events/event';
import { PROVIDERS } from '../../providers/provider-ids';
import { filterPredicate } from '../../query/match-filters';
import type { EventFilter } from '../../query/types';
import { parseFilters } from '../../read-api/filters';
import {
  type ChildMetric,
  EVALUATOR_TYPES,
  type EvaluatorDefinition,
  type EvaluatorType,
  RETURN_TYPES,
  type Threshold,
} from '../evaluator';
import { PROMPT_ROOTS } from '../judge/prompt';
import {
  MAX_CHILD_METRICS,
  MAX_CODE_BYTES,
  MAX_METRIC_NAME_LENGTH,
  MAX_METRIC_VERSION_BYTES,
} from './limits';

/** One version: every field of EvaluatorDefinition but its ids, number and times. */
export type MetricContent = Omit<
  EvaluatorDefinition,
  'id' | 'projectId' | 'version' | 'createdAt' | 'updatedAt' | 'updatedBy' | 'task'
>;

/** The fields a version may hold, and which types each belongs to (undefined: every type). */
const FIELD_TYPES: Record<keyof MetricContent, readonly EvaluatorType[] | undefined> = {
  name: undefined,
  type: undefined,
  description: undefined,
  criteria: undefined,
  codeSnippet: ['custom'],
  prompt: ['model'],
  returnType: undefined,
  threshold: undefined,
  passWhen: undefined,
  needsGroundTruth: undefined,
  enabledInProd: undefined,
  eventType: undefined,
  eventName: undefined,
  modelProvider: ['model'],
  modelName: ['model'],
  judgeBudgetUsdPerDay: ['model'],
  childMetrics: ['composite'],
  samplingPercentage: undefined,
  filters: undefined,
};
export const CONTENT_FIELDS = Object.keys(FIELD_TYPES) as (keyof MetricContent)[];

/** Whether a field has a meaning for a metric of this type. */
export function fieldBelongsTo(field: keyof MetricContent, type: EvaluatorType): boolean {
  const types = FIELD_TYPES[field];
  return types === undefined || types.includes(type);
}

/** A Python function definition at the start of a line (what the harness calls first). */
const PYTHON_DEF = /^(?:async[ \t]+)?def[ \t]+[A-Za-z_]\w*[ \t]*\(/m;

/**
 * Checks a whole version; throws a ValidationError (TooLargeError for size) naming the field, with
 * the wire's field names, which are what the caller wrote.
 */
export function checkMetricContent(content: MetricContent): MetricContent {
  name(content.name, 'name');
  oneOf(content.type, EVALUATOR_TYPES, 'type');
  oneOf(content.returnType, RETURN_TYPES, 'return_type');
  text(content.description, 'description');
  if (content.criteria !== undefined) text(content.criteria, 'criteria');
  for (const field of CONTENT_FIELDS) {
    if (content[field] !== undefined && !fieldBelongsTo(field, content.type))
      throw new ValidationError(`${wireName(field)} has no meaning for a ${content.type} metric`);
  }
  bool(content.needsGroundTruth, 'needs_ground_truth');
  bool(content.enabledInProd, 'enabled_in_prod');
  if (
    typeof content.samplingPercentage !== 'number' ||
    !Number.isFinite(content.samplingPercentage) ||
    content.samplingPercentage < 0 ||
    content.samplingPercentage > 100
  )
    throw new ValidationError('sampling_percentage must be a number from 0 to 100');
  if (content.eventType !== undefined) oneOf(content.eventType, EVENT_TYPES, 'event_type');
  if (content.eventName !== undefined) name(content.eventName, 'event_name');
  checkScoring(content);
  switch (content.type) {
    case 'custom':
      checkCode(content.codeSnippet);
      break;
    case 'model':
      checkJudge(content);
      break;
    case 'composite':
      checkChildren(content);
      break;
    case 'human':
      break;
  }
  checkFilters(content.filters);
  const bytes = Buffer.byteLength(JSON.stringify(content), 'utf8');
  if (bytes > MAX_METRIC_VERSION_BYTES)
    throw new TooLargeError(
      `A metric is at most ${MAX_METRIC_VERSION_BYTES / 1024} KiB as JSON (code or prompt, criteria and filters together; one sync message carries it), this one is ${Math.ceil(bytes / 1024)} KiB`,
    );
  return content;
}

function checkScoring(content: MetricContent): void {
  if (content.threshold !== undefined) {
    if (content.returnType !== 'float')
      throw new ValidationError('threshold applies to float metrics only (use pass_when for booleans)');
    const { min, max, ...rest } = content.threshold as Threshold & Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw new ValidationError(`unknown field "threshold.${unknown}"`);
    for (const [bound, value] of [
      ['min', min],
      ['max', max],
    ] as const)
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value)))
        throw new ValidationError(`threshold.${bound} must be a finite number`);
    if (min !== undefined && max !== undefined && min > max)
      throw new ValidationError('threshold.min must not be above threshold.max');
  }
  if (content.passWhen !== undefined) {
    if (typeof content.passWhen !== 'boolean') throw new ValidationError('pass_when must be true or false');
    if (content.returnType !== 'boolean')
      throw new ValidationError('pass_when applies to boolean metrics only (use threshold for floats)');
  }
}

function checkCode(code: string | undefined): void {
  if (typeof code !== 'string' || code.trim() === '')
    throw new ValidationError('code_snippet is required for a custom (Python) metric');
  const bytes = Buffer.byteLength(code, 'utf8');
  if (bytes > MAX_CODE_BYTES)
    throw new TooLargeError(
      `code_snippet is ${bytes} bytes; the sandbox runs at most ${MAX_CODE_BYTES} bytes of code`,
    );
  if (code.includes('\u0000')) throw new ValidationError('code_snippet holds a NUL character');
  if (!PYTHON_DEF.test(code))
    throw new ValidationError(
      'code_snippet must define a function at the start of a line (def name(event): ...); the first one defined is called with the event',
    );
}

function checkJudge(content: MetricContent): void {
  if (typeof content.prompt !== 'string' || content.prompt.trim() === '')
    throw new ValidationError('prompt is required for a model (LLM judge) metric');
  for (const variable of templateVariables([{ role: 'user', content: content.prompt }])) {
    const root = variable.split('.')[0] as string;
    if (!(PROMPT_ROOTS as readonly string[]).includes(root))
      throw new ValidationError(
        `prompt: {{${variable}}} names nothing an event has; a variable starts with one of ${PROMPT_ROOTS.join(', ')}`,
      );
  }
  if (content.modelProvider === undefined)
    throw new ValidationError('model_provider is required for a model metric');
  if (!(PROVIDERS as readonly string[]).includes(content.modelProvider))
    throw new ValidationError(`model_provider must be one of ${PROVIDERS.join(', ')}`);
  if (content.modelName === undefined) throw new ValidationError('model_name is required for a model metric');
  name(content.modelName, 'model_name');
  if (
    content.judgeBudgetUsdPerDay !== undefined &&
    (typeof content.judgeBudgetUsdPerDay !== 'number' ||
      !Number.isFinite(content.judgeBudgetUsdPerDay) ||
      content.judgeBudgetUsdPerDay <= 0)
  )
    throw new ValidationError('judge_budget_usd_per_day must be a positive number');
}

function checkChildren(content: MetricContent): void {
  const children = content.childMetrics;
  if (!Array.isArray(children) || children.length === 0)
    throw new ValidationError('child_metrics is required for a composite metric: [{ name, weight }]');
  if (children.length > MAX_CHILD_METRICS)
    throw new ValidationError(`child_metrics has at most ${MAX_CHILD_METRICS} entries`);
  if (content.returnType === 'string')
    throw new ValidationError(
      'a composite scores the weighted mean of its children: return_type float or boolean',
    );
  const seen = new Set<string>();
  let total = 0;
  children.forEach((child: ChildMetric, index) => {
    const field = `child_metrics[${index}]`;
    const { id, name: childName, weight, ...rest } = child as ChildMetric & Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw new ValidationError(`unknown field "${field}.${unknown}"`);
    name(childName, `${field}.name`);
    if (id !== undefined) name(id, `${field}.id`);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0)
      throw new ValidationError(`${field}.weight must be a number of at least 0`);
    if (childName === content.name) throw new ValidationError(`${field} is the metric itself`);
    if (seen.has(childName)) throw new ValidationError(`${field}: "${childName}" is listed twice`);
    seen.add(childName);
    total += weight;
  });
  if (!(total > 0)) throw new ValidationError('child_metrics weigh nothing together (every weight is 0)');
}

function checkFilters(filters: EventFilter[]): void {
  if (!Array.isArray(filters)) throw new ValidationError('filters must be a list of filters');
  // The read API's reading (field readable, operator for its type, value of that type)...
  parseFilters(filters, 'filters');
  // ...and online selection's, which must accept every filter it will be given.
  filterPredicate(filters);
}

function name(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_METRIC_NAME_LENGTH)
    throw new ValidationError(
      `${field} must be a non-empty string of at most ${MAX_METRIC_NAME_LENGTH} characters`,
    );
}

function text(value: unknown, field: string): void {
  if (typeof value !== 'string') throw new ValidationError(`${field} must be a string`);
}

function bool(value: unknown, field: string): void {
  if (typeof value !== 'boolean') throw new ValidationError(`${field} must be true or false`);
}

function oneOf(value: unknown, allowed: readonly string[], field: string): void {
  if (typeof value !== 'string' || !allowed.includes(value))
    throw new ValidationError(`${field} must be one of ${allowed.join(', ')}`);
}

/** The wire's (HoneyHive's) name of a content field. */
export function wireName(field: keyof MetricContent): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
