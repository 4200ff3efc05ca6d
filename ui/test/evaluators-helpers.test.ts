import { describe, expect, it } from 'vitest';
import type { MetricWire } from '../src/api/client';
import {
  checkForm,
  childChoices,
  DEFAULT_CODE,
  emptyForm,
  fieldProblem,
  filterErrors,
  formFromMetric,
  type MetricForm,
  metricBody,
  passRuleText,
  promptVariables,
  sameAsMetric,
} from '../src/evaluators/form';
import { ruleText, verdictOf } from '../src/evaluators/verdict';

describe('verdictOf', () => {
  it('passes a float within the threshold, bounds inclusive, and fails outside', () => {
    const rule = { return_type: 'float' as const, threshold: { min: 3, max: 5 } };
    expect(verdictOf(rule, 3)).toBe('pass');
    expect(verdictOf(rule, 5)).toBe('pass');
    expect(verdictOf(rule, 2.99)).toBe('fail');
    expect(verdictOf(rule, 5.01)).toBe('fail');
    expect(verdictOf(rule, '4')).toBe('pass');
  });

  it('reads one bound alone', () => {
    expect(verdictOf({ return_type: 'float', threshold: { min: 0.5 } }, 100)).toBe('pass');
    expect(verdictOf({ return_type: 'float', threshold: { min: 0.5 } }, 0.4)).toBe('fail');
    expect(verdictOf({ return_type: 'float', threshold: { max: 0.5 } }, 0.4)).toBe('pass');
    expect(verdictOf({ return_type: 'float', threshold: { max: 0.5 } }, 0.6)).toBe('fail');
  });

  it('passes a boolean equal to pass_when, reading 0/1 and "true"/"false" too', () => {
    const rule = { return_type: 'boolean' as const, pass_when: false };
    expect(verdictOf(rule, false)).toBe('pass');
    expect(verdictOf(rule, true)).toBe('fail');
    expect(verdictOf(rule, 0)).toBe('pass');
    expect(verdictOf(rule, 'true')).toBe('fail');
  });

  it('gives no verdict without a rule, without a bound, for strings and for values of another type', () => {
    expect(verdictOf(undefined, 3)).toBeUndefined();
    expect(verdictOf({ return_type: 'float' }, 3)).toBeUndefined();
    expect(verdictOf({ return_type: 'float', threshold: {} }, 3)).toBeUndefined();
    expect(verdictOf({ return_type: 'boolean' }, true)).toBeUndefined();
    expect(verdictOf({ return_type: 'string', threshold: { min: 1 } }, 'abc')).toBeUndefined();
    expect(verdictOf({ return_type: 'float', threshold: { min: 1 } }, 'many')).toBeUndefined();
    expect(verdictOf({ return_type: 'float', threshold: { min: 1 } }, null)).toBeUndefined();
    expect(verdictOf({ return_type: 'float', threshold: { min: 1 } }, { value: 3 })).toBeUndefined();
    expect(verdictOf({ return_type: 'boolean', pass_when: true }, 'yes')).toBeUndefined();
  });

  it('says the rule in words', () => {
    expect(ruleText({ return_type: 'float', threshold: { min: 3 } })).toBe('passes at 3 or more');
    expect(ruleText({ return_type: 'float', threshold: { max: 1 } })).toBe('passes at 1 or less');
    expect(ruleText({ return_type: 'float', threshold: { min: 0, max: 1 } })).toBe('passes from 0 to 1');
    expect(ruleText({ return_type: 'boolean', pass_when: true })).toBe('passes when true');
    expect(ruleText({ return_type: 'string' })).toBeUndefined();
  });
});

const STORED: MetricWire = {
  _id: 'm1',
  name: 'answer_words',
  type: 'custom',
  description: 'words in the answer',
  code_snippet: DEFAULT_CODE,
  return_type: 'float',
  enabled_in_prod: true,
  needs_ground_truth: false,
  sampling_percentage: 25,
  threshold: { min: 3 },
  event_type: 'model',
  filters: { filterArray: [] },
  version: 2,
};

describe('the evaluator form', () => {
  it('writes a Python metric with the wire names, null clearing what is empty', () => {
    const form = { ...emptyForm('custom'), name: ' words ', thresholdMin: '3', samplingPercentage: '50' };
    expect(metricBody(form)).toEqual({
      name: 'words',
      type: 'custom',
      description: '',
      code_snippet: DEFAULT_CODE,
      return_type: 'float',
      enabled_in_prod: false,
      needs_ground_truth: false,
      sampling_percentage: 50,
      event_type: null,
      event_name: null,
      threshold: { min: 3 },
      pass_when: null,
      filters: [],
    });
  });

  it('writes a judge with its prompt, provider and model, and pass_when for a boolean', () => {
    const form = {
      ...emptyForm('model'),
      name: 'polite',
      prompt: 'Is {{outputs.content}} polite?',
      modelProvider: 'openai',
      modelName: 'gpt-4o-mini',
      returnType: 'boolean' as const,
      passWhen: 'true' as const,
      thresholdMin: '2',
      eventType: 'model' as const,
      eventName: 'chat',
    };
    const body = metricBody(form);
    expect(body).toMatchObject({
      type: 'model',
      prompt: 'Is {{outputs.content}} polite?',
      model_provider: 'openai',
      model_name: 'gpt-4o-mini',
      return_type: 'boolean',
      pass_when: true,
      threshold: null,
      event_type: 'model',
      event_name: 'chat',
    });
    expect(body).not.toHaveProperty('code_snippet');
  });

  it('round-trips a stored metric and knows when the draft differs', () => {
    const form = formFromMetric(STORED);
    expect(form).toMatchObject({
      thresholdMin: '3',
      thresholdMax: '',
      samplingPercentage: '25',
      eventType: 'model',
    });
    expect(sameAsMetric(form, STORED)).toBe(true);
    expect(sameAsMetric({ ...form, thresholdMin: '4' }, STORED)).toBe(false);
    expect(
      formFromMetric({ ...STORED, code_snippet: undefined, criteria: 'def f(e):\n  return 1' }).codeSnippet,
    ).toBe('def f(e):\n  return 1');
  });

  it('refuses what the API would refuse, per field', () => {
    expect(checkForm({ ...emptyForm(), name: 'ok' })).toEqual({});
    expect(checkForm(emptyForm()).name).toBe('A name is required');
    expect(checkForm({ ...emptyForm(), name: 'x', codeSnippet: 'return 1' }).codeSnippet).toMatch(
      /define a function/,
    );
    expect(
      checkForm({ ...emptyForm(), name: 'x', samplingPercentage: '101' }).samplingPercentage,
    ).toBeDefined();
    expect(checkForm({ ...emptyForm(), name: 'x', samplingPercentage: '' }).samplingPercentage).toBeDefined();
    expect(checkForm({ ...emptyForm(), name: 'x', thresholdMin: '5', thresholdMax: '1' }).thresholdMax).toBe(
      'The maximum is below the minimum',
    );
    expect(checkForm({ ...emptyForm('model'), name: 'x', modelName: '' }).modelName).toBe(
      'The model is required',
    );
    expect(checkForm({ ...emptyForm('model'), name: 'x', modelName: 'm', prompt: ' ' }).prompt).toBeDefined();
    // The API's own checks of a judge: variables an event has, a provider.
    expect(
      checkForm({ ...emptyForm('model'), name: 'x', modelName: 'm', prompt: 'Is {{answer}} ok?' }).prompt,
    ).toBe(
      '{{answer}} names nothing an event has: start a variable with event_id, session_id, event_type, event_name, model, provider, inputs, outputs, metadata, config, feedback, metrics, user_properties, ground_truth',
    );
    expect(
      checkForm({ ...emptyForm('model'), name: 'x', modelName: 'm', prompt: 'Is {{outputs.content}} ok?' }),
    ).toEqual({});
    expect(
      checkForm({ ...emptyForm('model'), name: 'x', modelName: 'm', modelProvider: '' }).modelProvider,
    ).toBe('The provider is required');
    // One version is at most 48 KiB as JSON.
    expect(
      checkForm({
        ...emptyForm(),
        name: 'x',
        codeSnippet: `def f(e):\n    return 1\n#${'x'.repeat(49 * 1024)}`,
      }).codeSnippet,
    ).toMatch(/^The metric is 50 KiB as JSON: at most 48 KiB/);
    expect(checkForm({ ...emptyForm('human'), name: 'x', criteria: 'y'.repeat(49 * 1024) }).criteria).toMatch(
      /at most 48 KiB/,
    );
    expect(checkForm({ ...emptyForm(), name: 'n'.repeat(201) }).name).toBe('At most 200 characters');
  });

  it('lists the prompt variables once each, in order', () => {
    expect(promptVariables('{{ inputs }} then {{outputs.content}} and {{inputs}}')).toEqual([
      'inputs',
      'outputs.content',
    ]);
    expect(promptVariables('no variables')).toEqual([]);
  });

  it('says what passes', () => {
    expect(passRuleText(STORED)).toBe('≥ 3');
    expect(passRuleText({ return_type: 'float', threshold: { min: 1, max: 2 } })).toBe('1 to 2');
    expect(passRuleText({ return_type: 'boolean', pass_when: false })).toBe('= false');
    expect(passRuleText({ return_type: 'string' })).toBe('—');
  });
});

const PROJECT: MetricWire[] = [
  { ...STORED, _id: 'words', name: 'words', type: 'custom' },
  { ...STORED, _id: 'polite', name: 'polite', type: 'model', return_type: 'boolean' },
  { ...STORED, _id: 'tone', name: 'tone', type: 'human', return_type: 'boolean' },
  {
    ...STORED,
    _id: 'overall',
    name: 'overall',
    type: 'composite',
    child_metrics: [{ id: 'words', name: 'words', weight: 1 }],
  },
];

function composite(children: MetricForm['childMetrics'], extra: Partial<MetricForm> = {}): MetricForm {
  return { ...emptyForm('composite'), name: 'quality', childMetrics: children, ...extra };
}

describe('the evaluator form for human and composite metrics, and filters', () => {
  it('writes a human metric with its instructions as criteria, null when empty, and round-trips it', () => {
    const form = {
      ...emptyForm('human'),
      name: 'tone',
      criteria: 'Is it polite?',
      returnType: 'boolean' as const,
    };
    const body = metricBody(form);
    expect(body).toMatchObject({
      type: 'human',
      criteria: 'Is it polite?',
      return_type: 'boolean',
      filters: [],
    });
    expect(body).not.toHaveProperty('code_snippet');
    expect(body).not.toHaveProperty('child_metrics');
    expect(metricBody({ ...form, criteria: '  ' }).criteria).toBeNull();
    expect(checkForm(form)).toEqual({});
    const stored: MetricWire = {
      ...STORED,
      type: 'human',
      criteria: 'Is it polite?',
      code_snippet: undefined,
    };
    expect(formFromMetric(stored).criteria).toBe('Is it polite?');
    // A custom metric's criteria is its code (the wire's newer spelling), not reviewers' instructions.
    expect(formFromMetric({ ...STORED, criteria: 'def f(e): ...' }).criteria).toBe('');
    expect(metricBody(formFromMetric(STORED))).not.toHaveProperty('criteria');
  });

  it('writes a composite with its children by id, name and weight, and reads them back', () => {
    const form = composite([
      { key: 0, id: 'words', name: 'words', weight: '2' },
      { key: 1, id: 'polite', name: 'polite', weight: '0.5' },
    ]);
    expect(checkForm(form, { metrics: PROJECT })).toEqual({});
    expect(metricBody(form).child_metrics).toEqual([
      { id: 'words', name: 'words', weight: 2 },
      { id: 'polite', name: 'polite', weight: 0.5 },
    ]);
    const stored: MetricWire = {
      ...STORED,
      type: 'composite',
      code_snippet: undefined,
      child_metrics: [
        { id: 'words', name: 'words', weight: 2 },
        { name: 'polite', weight: 1 },
      ],
    };
    expect(formFromMetric(stored).childMetrics).toEqual([
      { key: 0, id: 'words', name: 'words', weight: '2' },
      { key: 1, id: '', name: 'polite', weight: '1' },
    ]);
    // A child named only by its name is sent by name (the platform finds it).
    expect(metricBody(formFromMetric(stored)).child_metrics?.[1]).toEqual({ name: 'polite', weight: 1 });
    expect(metricBody({ ...formFromMetric(stored), type: 'custom' })).not.toHaveProperty('child_metrics');
  });

  it("refuses a composite's children as the API would", () => {
    const child = (id: string, weight = '1', key = 0) => ({ key, id, name: id, weight });
    const problem = (form: MetricForm, selfId?: string) =>
      checkForm(form, { metrics: PROJECT, selfId }).childMetrics;
    expect(problem(composite([]))).toBe('Add at least one child metric');
    expect(problem(composite([child('')]))).toBe('Child 1: choose a metric');
    expect(problem(composite([child('gone')]))).toBe('Child 1: no metric "gone" in this project');
    expect(problem(composite([child('tone')]))).toMatch(/human metric, which reviewers score/);
    expect(problem(composite([child('words'), child('words', '1', 1)]))).toBe(
      'Child 2: "words" is listed twice',
    );
    expect(problem(composite([child('words', '-1')]))).toBe('Child 1: a weight of at least 0');
    expect(problem(composite([child('words', 'x')]))).toBe('Child 1: a weight of at least 0');
    expect(problem(composite([child('words', '0'), child('polite', '0', 1)]))).toMatch(/add up to 0/);
    // Editing "words" itself, or a metric that "overall" uses: a cycle.
    expect(problem(composite([child('words')], { name: 'words' }), 'words')).toBe(
      'Child 1 is this metric itself',
    );
    expect(problem(composite([child('overall')], { name: 'words' }), 'words')).toBe(
      'Child 1: "overall" uses this metric (a cycle)',
    );
    expect(problem(composite(Array.from({ length: 21 }, (_, key) => child('words', '1', key))))).toBe(
      'At most 20 child metrics',
    );
    expect(
      checkForm(composite([child('words')], { returnType: 'string' }), { metrics: PROJECT }).returnType,
    ).toMatch(/float or boolean/);
    // The choices leave out the metric itself, human metrics, and those that lead back to it.
    expect(childChoices(PROJECT, 'words').map((metric) => metric._id)).toEqual(['polite']);
    expect(childChoices(PROJECT, undefined).map((metric) => metric._id)).toEqual([
      'words',
      'polite',
      'overall',
    ]);
  });

  it('edits filters as rows, keeping each stored filter its type, and refuses what the grammar refuses', () => {
    const stored: MetricWire = {
      ...STORED,
      filters: {
        filterArray: [
          { field: 'metrics.score', operator: 'greater than', value: 0.5, type: 'number' },
          { field: 'metadata.customer', operator: 'exists', type: 'string' },
        ],
      },
    };
    const form = formFromMetric(stored);
    expect(form.filters).toEqual([
      { key: 0, field: 'metrics.score', operator: 'greater than', value: '0.5' },
      { key: 1, field: 'metadata.customer', operator: 'exists', value: '' },
    ]);
    // Without the event schema, metrics.score stays a number (the stored filter's type).
    expect(metricBody(form).filters).toEqual(stored.filters?.filterArray);
    expect(sameAsMetric(form, stored)).toBe(true);
    expect(sameAsMetric({ ...form, filters: form.filters.slice(1) }, stored)).toBe(false);

    const added = {
      ...form,
      filters: [...form.filters, { key: 2, field: 'cost', operator: 'less than', value: '' }],
    };
    expect(filterErrors(added)).toEqual({ 2: 'Give a value for cost' });
    expect(checkForm(added).filters).toBe('Filter 3: Give a value for cost');
    const unknown = { ...form, filters: [{ key: 0, field: 'customer', operator: 'is', value: 'acme' }] };
    expect(checkForm(unknown).filters).toMatch(/^Filter 1: unknown field "customer"/);
    expect(fieldProblem('dt')).toMatch(/storage partition/);
    expect(fieldProblem('metrics.answer length')).toBeUndefined();
    expect(fieldProblem('metrics.a.b.c.d.e.f.g.h.i')).toMatch(/deeper than 8/);
    const many = {
      ...form,
      filters: Array.from({ length: 51 }, (_, key) => ({
        key,
        field: 'model',
        operator: 'exists',
        value: '',
      })),
    };
    expect(checkForm(many).filters).toBe('At most 50 filters');
  });
});
