import { describe, expect, it } from 'vitest';
import type { MetricWire } from '../src/api/client';
import {
  checkForm,
  DEFAULT_CODE,
  emptyForm,
  formFromMetric,
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
