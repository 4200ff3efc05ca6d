/**
 * The evaluator form's draft and its conversions: a stored metric into a draft, a draft checked
 * (what the API would refuse, said before the round trip) and into the body of `POST`/`PUT
 * /v1/metrics` with the wire's names (lambdas/domain/evaluators/definitions/metric-input.ts and
 * metric-content.ts). Every type is edited: custom (code), model (judge), human (the reviewers'
 * criteria), composite (weighted children of the project), each with its selectors, sampling and
 * filters. Pure.
 */
import { templateVariables } from '../../../lambdas/domain/configurations/template-variables';
import {
  MAX_CHILD_METRICS as API_MAX_CHILD_METRICS,
  MAX_METRIC_NAME_LENGTH,
  MAX_METRIC_VERSION_BYTES,
} from '../../../lambdas/domain/evaluators/definitions/limits';
import { PROMPT_ROOTS } from '../../../lambdas/domain/evaluators/judge/prompt';
import { resolveField } from '../../../lambdas/domain/query/fields';
import type { MetricEventType, MetricReturnType, MetricType, MetricWire, MetricWrite } from '../api/client';
import type { EventFilter } from '../api/types';
import type { EditableRow } from '../components/FilterRows';
import { type FieldSuggestion, type FilterType, toFilter, toRow } from '../components/filters';

export const RETURN_TYPES: readonly MetricReturnType[] = ['float', 'boolean', 'string'];
export const EVENT_TYPES: readonly MetricEventType[] = ['model', 'tool', 'chain', 'session'];
/** The types the form edits, each in full. */
export const EDITABLE_TYPES: readonly MetricType[] = ['custom', 'model', 'human', 'composite'];
/** What the API holds a metric to (lambdas/domain/evaluators/definitions/limits.ts, read-api filters). */
export const MAX_CHILD_METRICS = API_MAX_CHILD_METRICS;
export const MAX_FILTERS = 50;
export const MAX_NAME_LENGTH = MAX_METRIC_NAME_LENGTH;
export const TYPE_LABELS: Record<MetricType, string> = {
  custom: 'Python (custom)',
  model: 'LLM judge (model)',
  human: 'Human',
  composite: 'Composite',
};

export const DEFAULT_CODE = `def answer_words(event):
    # The event is a dict (inputs, outputs, metadata, ...); return a value of the return type.
    return len(event["outputs"].get("content", "").split())
`;

export const DEFAULT_PROMPT = `Does the answer address the question?
Question: {{inputs}}
Answer: {{outputs}}`;

/** One child of a composite: the metric by id (its name beside, as the wire wants both), its weight as typed. */
export interface ChildRow {
  key: number;
  id: string;
  name: string;
  weight: string;
}

export interface MetricForm {
  name: string;
  type: MetricType;
  description: string;
  /** human: the reviewers' instructions (the wire's `criteria`). */
  criteria: string;
  /** composite: the children and their weights. */
  childMetrics: ChildRow[];
  /** The filters' rows as typed (every type). */
  filters: EditableRow[];
  /** The stored filters' own types, which come before the event schema's when a row is read. */
  filterTypes: FieldSuggestion[];
  codeSnippet: string;
  prompt: string;
  modelProvider: string;
  modelName: string;
  returnType: MetricReturnType;
  thresholdMin: string;
  thresholdMax: string;
  passWhen: '' | 'true' | 'false';
  enabledInProd: boolean;
  needsGroundTruth: boolean;
  samplingPercentage: string;
  eventType: '' | MetricEventType;
  eventName: string;
}

export type FormErrors = Partial<Record<keyof MetricForm, string>>;

/** What the checks need beyond the draft: the project's metrics (a composite's children) and the field types. */
export interface FormContext {
  /** The project's metrics. */
  metrics?: readonly MetricWire[];
  /** The id of the metric the draft edits (absent for a new one). */
  selfId?: string;
  /** Filter field types from the event schema (filters.ts, fieldSuggestions). */
  suggestions?: readonly FieldSuggestion[];
}

export function emptyForm(type: MetricType = 'custom'): MetricForm {
  return {
    name: '',
    type,
    description: '',
    criteria: '',
    childMetrics: [],
    filters: [],
    filterTypes: [],
    codeSnippet: DEFAULT_CODE,
    prompt: DEFAULT_PROMPT,
    modelProvider: 'openai',
    modelName: '',
    returnType: 'float',
    thresholdMin: '',
    thresholdMax: '',
    passWhen: '',
    enabledInProd: false,
    needsGroundTruth: false,
    samplingPercentage: '100',
    eventType: '',
    eventName: '',
  };
}

export function formFromMetric(metric: MetricWire): MetricForm {
  return {
    name: metric.name,
    type: metric.type,
    description: metric.description ?? '',
    criteria: metric.type === 'human' ? (metric.criteria ?? '') : '',
    childMetrics: (metric.child_metrics ?? []).map((child, key) => ({
      key,
      id: child.id ?? '',
      name: child.name,
      weight: String(child.weight),
    })),
    filters: (metric.filters?.filterArray ?? []).map((filter, key) => ({ ...toRow(filter), key })),
    filterTypes: storedTypes(metric.filters?.filterArray ?? []),
    codeSnippet: metric.code_snippet ?? (metric.type === 'custom' ? (metric.criteria ?? '') : ''),
    prompt: metric.prompt ?? (metric.type === 'model' ? (metric.criteria ?? '') : ''),
    modelProvider: metric.model_provider ?? '',
    modelName: metric.model_name ?? '',
    returnType: metric.return_type,
    thresholdMin: metric.threshold?.min === undefined ? '' : String(metric.threshold.min),
    thresholdMax: metric.threshold?.max === undefined ? '' : String(metric.threshold.max),
    passWhen: metric.pass_when === undefined ? '' : metric.pass_when ? 'true' : 'false',
    enabledInProd: metric.enabled_in_prod,
    needsGroundTruth: metric.needs_ground_truth ?? false,
    samplingPercentage: String(metric.sampling_percentage),
    eventType: metric.event_type ?? '',
    eventName: metric.event_name ?? '',
  };
}

/** A number typed in a field: undefined when empty, NaN when not a number. */
function numberOf(text: string): number | undefined {
  const trimmed = text.trim();
  return trimmed === '' ? undefined : Number(trimmed);
}

/** The stored filters' fields with their types (a row keeps its filter's type, whatever the schema says). */
function storedTypes(filters: readonly EventFilter[]): FieldSuggestion[] {
  const types: FieldSuggestion[] = [];
  for (const filter of filters)
    if (filter.type !== undefined && !types.some((known) => known.field === filter.field))
      types.push({ field: filter.field, type: filter.type as FilterType });
  return types;
}

/** The types a row's field is read with: the stored filters' first, then the schema's. */
export function fieldTypes(
  form: MetricForm,
  suggestions: readonly FieldSuggestion[] = [],
): FieldSuggestion[] {
  return [
    ...form.filterTypes,
    ...suggestions.filter((s) => !form.filterTypes.some((t) => t.field === s.field)),
  ];
}

/** Each filter row's problem by row key (a row the read API's grammar would refuse). */
export function filterErrors(
  form: MetricForm,
  suggestions: readonly FieldSuggestion[] = [],
): Record<number, string> {
  const types = fieldTypes(form, suggestions);
  const problems: Record<number, string> = {};
  for (const row of form.filters) {
    const result = toFilter(row, types);
    if ('error' in result) problems[row.key] = result.error;
    else {
      const problem = fieldProblem(result.filter.field);
      if (problem !== undefined) problems[row.key] = problem;
    }
  }
  return problems;
}

/** The filters the draft's rows make (rows with a problem left out: checkForm stops those first). */
export function formFilters(form: MetricForm, suggestions: readonly FieldSuggestion[] = []): EventFilter[] {
  const types = fieldTypes(form, suggestions);
  const built: EventFilter[] = [];
  for (const row of form.filters) {
    const result = toFilter(row, types);
    if ('filter' in result) built.push(result.filter);
  }
  return built;
}

/**
 * Why the read API's allow-list refuses a field (lambdas/domain/query/fields.ts, the same function the
 * platform runs), or undefined when it takes it.
 */
export function fieldProblem(field: string): string | undefined {
  try {
    resolveField(field);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Whether `candidate`'s children (and theirs) lead to the metric `selfId`. */
function leadsTo(
  candidate: MetricWire,
  selfId: string,
  metrics: readonly MetricWire[],
  seen = new Set<string>(),
): boolean {
  for (const child of candidate.child_metrics ?? []) {
    const found = metrics.find((metric) =>
      child.id !== undefined ? metric._id === child.id : metric.name === child.name,
    );
    if (!found || seen.has(found._id)) continue;
    if (found._id === selfId) return true;
    seen.add(found._id);
    if (leadsTo(found, selfId, metrics, seen)) return true;
  }
  return false;
}

/** The metrics a composite may take as children: not itself, not human, not one that uses it. */
export function childChoices(metrics: readonly MetricWire[], selfId: string | undefined): MetricWire[] {
  return metrics.filter(
    (metric) =>
      metric._id !== selfId &&
      metric.type !== 'human' &&
      (selfId === undefined || !leadsTo(metric, selfId, metrics)),
  );
}

/** The first problem of a composite's children, as the API would name it (undefined when none). */
function childrenProblem(form: MetricForm, context: FormContext): string | undefined {
  const children = form.childMetrics;
  if (children.length === 0) return 'Add at least one child metric';
  if (children.length > MAX_CHILD_METRICS) return `At most ${MAX_CHILD_METRICS} child metrics`;
  const metrics = context.metrics;
  const seen = new Set<string>();
  let total = 0;
  for (const [index, child] of children.entries()) {
    const n = `Child ${index + 1}`;
    if (child.id === '' && child.name.trim() === '') return `${n}: choose a metric`;
    const found = metrics?.find((metric) =>
      child.id !== '' ? metric._id === child.id : metric.name === child.name,
    );
    if (metrics !== undefined && !found) return `${n}: no metric "${child.name}" in this project`;
    const name = found?.name ?? child.name;
    if ((context.selfId !== undefined && found?._id === context.selfId) || name === form.name.trim())
      return `${n} is this metric itself`;
    if (found?.type === 'human')
      return `${n}: "${name}" is a human metric, which reviewers score; a composite runs its children`;
    if (found && context.selfId !== undefined && metrics && leadsTo(found, context.selfId, metrics))
      return `${n}: "${name}" uses this metric (a cycle)`;
    const key = found?._id ?? name;
    if (seen.has(key)) return `${n}: "${name}" is listed twice`;
    seen.add(key);
    const weight = numberOf(child.weight);
    if (weight === undefined || !Number.isFinite(weight) || weight < 0) return `${n}: a weight of at least 0`;
    total += weight;
  }
  if (!(total > 0)) return 'The weights add up to 0: give one child a weight above 0';
  return undefined;
}

/** What the API would refuse, per field (empty when the draft can be sent). */
export function checkForm(form: MetricForm, context: FormContext = {}): FormErrors {
  const errors: FormErrors = {};
  const name = form.name.trim();
  if (name === '') errors.name = 'A name is required';
  else if (name.length > MAX_NAME_LENGTH) errors.name = `At most ${MAX_NAME_LENGTH} characters`;
  if (form.type === 'custom') {
    if (form.codeSnippet.trim() === '') errors.codeSnippet = 'The Python code is required';
    else if (!/^(async\s+)?def\s+\w+\s*\(/m.test(form.codeSnippet))
      errors.codeSnippet = 'The code must define a function (def name(event): ...)';
  }
  if (form.type === 'model') {
    if (form.prompt.trim() === '') errors.prompt = 'The judge prompt is required';
    else {
      const unknown = templateVariables([{ role: 'user', content: form.prompt }]).find(
        (variable) => !(PROMPT_ROOTS as readonly string[]).includes(variable.split('.')[0] as string),
      );
      if (unknown !== undefined)
        errors.prompt = `{{${unknown}}} names nothing an event has: start a variable with ${PROMPT_ROOTS.join(', ')}`;
    }
    if (form.modelProvider.trim() === '') errors.modelProvider = 'The provider is required';
    if (form.modelName.trim() === '') errors.modelName = 'The model is required';
  }
  if (form.type === 'composite') {
    const problem = childrenProblem(form, context);
    if (problem !== undefined) errors.childMetrics = problem;
    if (form.returnType === 'string')
      errors.returnType = 'A composite scores the weighted mean of its children: float or boolean';
  }
  if (form.filters.length > MAX_FILTERS) errors.filters = `At most ${MAX_FILTERS} filters`;
  else {
    const rows = filterErrors(form, context.suggestions);
    const index = form.filters.findIndex((row) => rows[row.key] !== undefined);
    const row = form.filters[index];
    if (row !== undefined) errors.filters = `Filter ${index + 1}: ${rows[row.key]}`;
  }
  // One version travels whole in one sync message: the platform refuses a larger one (limits.ts).
  const bytes = new TextEncoder().encode(JSON.stringify(metricBody(form, context.suggestions))).length;
  if (bytes > MAX_METRIC_VERSION_BYTES) {
    const field = (
      { custom: 'codeSnippet', model: 'prompt', human: 'criteria', composite: 'description' } as const
    )[form.type];
    errors[field] ??=
      `The metric is ${Math.ceil(bytes / 1024)} KiB as JSON: at most ${MAX_METRIC_VERSION_BYTES / 1024} KiB (code or prompt, criteria and filters together)`;
  }
  const sampling = numberOf(form.samplingPercentage);
  if (sampling === undefined || !Number.isFinite(sampling) || sampling < 0 || sampling > 100)
    errors.samplingPercentage = 'A percentage from 0 to 100';
  if (form.returnType === 'float') {
    const min = numberOf(form.thresholdMin);
    const max = numberOf(form.thresholdMax);
    if (min !== undefined && !Number.isFinite(min)) errors.thresholdMin = 'Not a number';
    if (max !== undefined && !Number.isFinite(max)) errors.thresholdMax = 'Not a number';
    if (min !== undefined && max !== undefined && min > max)
      errors.thresholdMax = 'The maximum is below the minimum';
  }
  return errors;
}

/**
 * The body of `POST /v1/metrics` (and of `PUT`, with the id beside it): `null` clears what the draft
 * leaves empty. The fields of another type are left out: a change of type drops them on the platform.
 */
export function metricBody(form: MetricForm, suggestions: readonly FieldSuggestion[] = []): MetricWrite {
  const body: MetricWrite = {
    name: form.name.trim(),
    type: form.type,
    description: form.description,
    return_type: form.returnType,
    enabled_in_prod: form.enabledInProd,
    needs_ground_truth: form.needsGroundTruth,
    sampling_percentage: numberOf(form.samplingPercentage) ?? 100,
    event_type: form.eventType === '' ? null : form.eventType,
    event_name: form.eventName.trim() === '' ? null : form.eventName.trim(),
    threshold: null,
    pass_when: null,
    filters: formFilters(form, suggestions),
  };
  if (form.type === 'custom') body.code_snippet = form.codeSnippet;
  if (form.type === 'human') body.criteria = form.criteria.trim() === '' ? null : form.criteria;
  if (form.type === 'composite')
    body.child_metrics = form.childMetrics.map((child) => ({
      ...(child.id !== '' && { id: child.id }),
      name: child.name.trim(),
      weight: numberOf(child.weight) ?? 0,
    }));
  if (form.type === 'model') {
    body.prompt = form.prompt;
    body.model_provider = form.modelProvider.trim() === '' ? null : form.modelProvider.trim();
    body.model_name = form.modelName.trim();
  }
  if (form.returnType === 'float') {
    const min = numberOf(form.thresholdMin);
    const max = numberOf(form.thresholdMax);
    if (min !== undefined || max !== undefined)
      body.threshold = { ...(min !== undefined && { min }), ...(max !== undefined && { max }) };
  }
  if (form.returnType === 'boolean' && form.passWhen !== '') body.pass_when = form.passWhen === 'true';
  return body;
}

/** Whether the draft is the stored metric as it is (a dry run can then name the metric by id). */
export function sameAsMetric(
  form: MetricForm,
  metric: MetricWire,
  suggestions: readonly FieldSuggestion[] = [],
): boolean {
  return (
    JSON.stringify(metricBody(form, suggestions)) ===
    JSON.stringify(metricBody(formFromMetric(metric), suggestions))
  );
}

/** The `{{variables}}` of a judge prompt, in order of first use. */
export function promptVariables(prompt: string): string[] {
  const names: string[] = [];
  for (const match of prompt.matchAll(/\{\{\s*([\w.-]+)\s*\}\}/g)) {
    const name = match[1];
    if (name !== undefined && !names.includes(name)) names.push(name);
  }
  return names;
}

/** A threshold or pass_when in words, for the list and the versions. */
export function passRuleText(metric: Pick<MetricWire, 'return_type' | 'threshold' | 'pass_when'>): string {
  if (metric.return_type === 'boolean') return metric.pass_when === undefined ? '—' : `= ${metric.pass_when}`;
  if (metric.return_type === 'float') {
    const { min, max } = metric.threshold ?? {};
    if (min !== undefined && max !== undefined) return `${min} to ${max}`;
    if (min !== undefined) return `≥ ${min}`;
    if (max !== undefined) return `≤ ${max}`;
  }
  return '—';
}
