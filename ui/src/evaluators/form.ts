/**
 * The evaluator form's draft and its conversions: a stored metric into a draft, a draft checked
 * (what the API would refuse, said before the round trip) and into the body of `POST`/`PUT
 * /v1/metrics` with the wire's names (lambdas/domain/evaluators/definitions/metric-input.ts). Pure.
 */
import type { MetricEventType, MetricReturnType, MetricType, MetricWire, MetricWrite } from '../api/client';

export const RETURN_TYPES: readonly MetricReturnType[] = ['float', 'boolean', 'string'];
export const EVENT_TYPES: readonly MetricEventType[] = ['model', 'tool', 'chain', 'session'];
/** The types the form edits in full; human and composite metrics keep their own fields untouched. */
export const EDITABLE_TYPES: readonly MetricType[] = ['custom', 'model'];
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

export interface MetricForm {
  name: string;
  type: MetricType;
  description: string;
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

export function emptyForm(type: MetricType = 'custom'): MetricForm {
  return {
    name: '',
    type,
    description: '',
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

/** What the API would refuse, per field (empty when the draft can be sent). */
export function checkForm(form: MetricForm): FormErrors {
  const errors: FormErrors = {};
  const name = form.name.trim();
  if (name === '') errors.name = 'A name is required';
  else if (name.length > 200) errors.name = 'At most 200 characters';
  if (form.type === 'custom') {
    if (form.codeSnippet.trim() === '') errors.codeSnippet = 'The Python code is required';
    else if (!/^(async\s+)?def\s+\w+\s*\(/m.test(form.codeSnippet))
      errors.codeSnippet = 'The code must define a function (def name(event): ...)';
  }
  if (form.type === 'model') {
    if (form.prompt.trim() === '') errors.prompt = 'The judge prompt is required';
    if (form.modelName.trim() === '') errors.modelName = 'The model is required';
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
export function metricBody(form: MetricForm): MetricWrite {
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
  };
  if (form.type === 'custom') body.code_snippet = form.codeSnippet;
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
export function sameAsMetric(form: MetricForm, metric: MetricWire): boolean {
  return JSON.stringify(metricBody(form)) === JSON.stringify(metricBody(formFromMetric(metric)));
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
