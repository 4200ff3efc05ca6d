/**
 * Reading metrics as HoneyHive's API receives them: both dialects (the `honeyhive` 1.0.42 client's
 * and the newer reference's), the rules of each type, scoring, selectors, sampling and filters, the
 * size limits, and how an update's patch makes the next version. Every refusal names the field.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../lambdas/domain/errors';
import { DEFAULT_CODE_LIMITS } from '../../../../lambdas/domain/evaluators/code-limits';
import { MAX_METRIC_VERSION_BYTES } from '../../../../lambdas/domain/evaluators/definitions/limits';
import { checkMetricContent } from '../../../../lambdas/domain/evaluators/definitions/metric-content';
import {
  applyMetricPatch,
  readCreateMetricInput,
  readMetricPatch,
  readUpdateMetricInput,
} from '../../../../lambdas/domain/evaluators/definitions/metric-input';

const CODE = 'def score(event):\n    return len(event["outputs"])\n';

const python = (overrides: Record<string, unknown> = {}) => ({
  name: 'length',
  task: 'shop',
  type: 'custom',
  description: 'Length',
  code_snippet: CODE,
  return_type: 'float',
  ...overrides,
});

const judge = (overrides: Record<string, unknown> = {}) => ({
  name: 'helpful',
  type: 'model',
  description: '',
  prompt: 'Is {{outputs.content}} an answer to {{inputs.question}}?',
  model_provider: 'openai',
  model_name: 'gpt-4o-mini',
  return_type: 'boolean',
  pass_when: true,
  ...overrides,
});

function refused(body: unknown, message: RegExp): void {
  expect(() => readCreateMetricInput(body)).toThrow(message);
}

describe('reading a new metric', () => {
  it('reads the 1.0.42 client body with defaults for what it leaves out', () => {
    expect(readCreateMetricInput(python({ threshold: { min: 1, max: 10 } }))).toEqual({
      project: 'shop',
      content: {
        name: 'length',
        type: 'custom',
        description: 'Length',
        codeSnippet: CODE,
        returnType: 'float',
        threshold: { min: 1, max: 10 },
        needsGroundTruth: false,
        enabledInProd: false,
        samplingPercentage: 100,
        filters: [],
      },
    });
  });

  it('reads the newer dialect: PYTHON and LLM types, criteria as code or prompt, threshold.pass_when, filterArray', () => {
    const { content } = readCreateMetricInput({
      name: 'polite',
      type: 'LLM',
      criteria: 'Is {{outputs.content}} polite?',
      model_provider: 'anthropic',
      model_name: 'claude-haiku',
      return_type: 'boolean',
      threshold: { pass_when: true },
      sampling_percentage: 25,
      enabled_in_prod: true,
      filters: { filterArray: [{ field: 'metadata.locale', operator: 'is', value: 'en', type: 'string' }] },
    });
    expect(content).toMatchObject({
      type: 'model',
      prompt: 'Is {{outputs.content}} polite?',
      criteria: 'Is {{outputs.content}} polite?',
      passWhen: true,
      samplingPercentage: 25,
      enabledInProd: true,
      filters: [{ field: 'metadata.locale', operator: 'is', value: 'en', type: 'string' }],
    });
    expect(readCreateMetricInput({ name: 'p', type: 'PYTHON', criteria: CODE }).content.codeSnippet).toBe(
      CODE,
    );
  });

  it('reads human metrics and event selectors', () => {
    const { content } = readCreateMetricInput({
      name: 'review',
      type: 'human',
      criteria: 'Is it correct?',
      return_type: 'string',
      event_type: 'session',
      event_name: 'checkout',
      needs_ground_truth: true,
    });
    expect(content).toMatchObject({
      type: 'human',
      eventType: 'session',
      eventName: 'checkout',
      needsGroundTruth: true,
    });
  });

  it.each([
    [python({ code_snippet: undefined }), /code_snippet is required/],
    [python({ code_snippet: 'x = 1\nreturn x' }), /must define a function/],
    [
      python({ code_snippet: `def f(e):\n    pass\n${'#'.repeat(DEFAULT_CODE_LIMITS.codeBytes)}` }),
      /sandbox runs at most 65536 bytes/,
    ],
    [python({ prompt: 'Rate it' }), /prompt has no meaning for a custom metric/],
    [python({ child_metrics: [{ name: 'a', weight: 1 }] }), /child_metrics has no meaning/],
    [python({ type: 'script' }), /type must be one of custom, model, human, composite/],
    [python({ return_type: 'categorical' }), /categorical metrics are not supported/],
    [python({ return_type: 'int' }), /return_type must be one of boolean, float, string/],
    [python({ threshold: { min: 5, max: 1 } }), /threshold.min must not be above threshold.max/],
    [python({ threshold: { min: 'low' } }), /threshold.min must be a number/],
    [python({ threshold: { passing_categories: ['a'] } }), /categorical/],
    [python({ pass_when: true }), /pass_when applies to boolean metrics only/],
    [python({ return_type: 'boolean', threshold: { min: 1 } }), /threshold applies to float metrics only/],
    [python({ pass_when: 1 }), /pass_when must be true or false/],
    [python({ sampling_percentage: -1 }), /sampling_percentage must be a number from 0 to 100/],
    [python({ sampling_percentage: 100.5 }), /sampling_percentage/],
    [python({ event_type: 'span' }), /event_type must be one of session, model, tool, chain/],
    [python({ enabled_in_prod: 'yes' }), /enabled_in_prod must be true or false/],
    [python({ name: '' }), /name must be a non-empty string/],
    [python({ name: 'x'.repeat(201) }), /name must be a non-empty string of at most 200/],
    [python({ scale: 5 }), /scale is not supported/],
    [python({ colour: 'red' }), /unknown field "colour"/],
    [python({ _id: 'mine' }), /gets its id from the platform/],
    [
      python({ filters: [{ field: 'metadata.x', operator: 'resembles', value: 'y' }] }),
      /filters\[0\]\.operator/,
    ],
    [
      python({ filters: [{ field: 'duration', operator: 'contains', value: 'y' }] }),
      /does not apply to a number field/,
    ],
    [python({ filters: { filterArray: [], extra: 1 } }), /unknown field "filters.extra"/],
    [judge({ prompt: undefined }), /prompt is required/],
    [judge({ prompt: 'Rate {{answer}}' }), /\{\{answer\}\} names nothing an event has/],
    [judge({ model_provider: 'acme' }), /model_provider must be one of/],
    [judge({ model_name: undefined }), /model_name is required/],
    [judge({ judge_budget_usd_per_day: 0 }), /judge_budget_usd_per_day must be a positive number/],
    [judge({ pass_when: true, threshold: { pass_when: false } }), /disagree/],
    [{ name: 'c', type: 'composite', return_type: 'float' }, /child_metrics is required/],
    [
      { name: 'c', type: 'composite', return_type: 'string', child_metrics: [{ name: 'a', weight: 1 }] },
      /float or boolean/,
    ],
    [{ name: 'c', type: 'composite', child_metrics: [{ name: 'a', weight: 0 }] }, /weigh nothing/],
    [
      { name: 'c', type: 'composite', child_metrics: [{ name: 'a', weight: -1 }] },
      /weight must be a number of at least 0/,
    ],
    [{ name: 'c', type: 'composite', child_metrics: [{ name: 'c', weight: 1 }] }, /is the metric itself/],
    [
      {
        name: 'c',
        type: 'composite',
        child_metrics: [
          { name: 'a', weight: 1 },
          { name: 'a', weight: 2 },
        ],
      },
      /listed twice/,
    ],
    [
      { name: 'c', type: 'composite', child_metrics: [{ name: 'a', weight: 1, scale: 3 }] },
      /scale is not supported/,
    ],
    [{ type: 'human' }, /name is required/],
    [{ name: 'x' }, /type is required/],
    ['not an object', /body must be a JSON object/],
  ])('refuses %j', (body, message) => {
    refused(body, message);
  });

  it('holds a version to what one sync message carries', () => {
    const filler = '#'.repeat(MAX_METRIC_VERSION_BYTES);
    expect(() =>
      readCreateMetricInput(python({ code_snippet: `${CODE}${filler.slice(0, 40_000)}` })),
    ).not.toThrow();
    expect(() => readCreateMetricInput(python({ code_snippet: `${CODE}${filler}` }))).toThrow(
      /at most 48 KiB as JSON/,
    );
    // Escaping counts: quotes and newlines take two bytes each as JSON.
    expect(() =>
      readCreateMetricInput(python({ code_snippet: `${CODE}${'"\n'.repeat(MAX_METRIC_VERSION_BYTES / 3)}` })),
    ).toThrow(/at most 48 KiB as JSON/);
  });

  it('refuses with a ValidationError (a 400 at the edge), never anything else', () => {
    try {
      readCreateMetricInput(python({ sampling_percentage: 'all' }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
    }
  });
});

describe('an update makes the next version from the current one', () => {
  const current = readCreateMetricInput(python({ threshold: { min: 1 }, event_name: 'chat' })).content;

  it('changes only what the patch names', () => {
    const input = readUpdateMetricInput({ metric_id: 'm1', description: 'New', enabled_in_prod: true });
    expect(input.id).toBe('m1');
    expect(applyMetricPatch(current, input.patch)).toEqual({
      ...current,
      description: 'New',
      enabledInProd: true,
    });
  });

  it('takes the id as metric_id (1.0.42) or id (newer), not two different ones', () => {
    expect(readUpdateMetricInput({ id: 'm2' }).id).toBe('m2');
    expect(() => readUpdateMetricInput({ metric_id: 'a', id: 'b' })).toThrow(/different metrics/);
    expect(() => readUpdateMetricInput({ description: 'x' })).toThrow(/metric_id is required/);
  });

  it('null clears an optional field', () => {
    const next = applyMetricPatch(current, readMetricPatch({ event_name: null, threshold: null }));
    expect(next.eventName).toBeUndefined();
    expect(next.threshold).toBeUndefined();
  });

  it('a change of type drops what only the old type meant, and asks for what the new one needs', () => {
    expect(() => applyMetricPatch(current, readMetricPatch({ type: 'model' }))).toThrow(/prompt is required/);
    const next = applyMetricPatch(
      current,
      readMetricPatch({
        type: 'model',
        prompt: 'Rate {{outputs}}',
        model_provider: 'openai',
        model_name: 'gpt-4o',
      }),
    );
    expect(next.codeSnippet).toBeUndefined();
    expect(next).toMatchObject({ type: 'model', prompt: 'Rate {{outputs}}', threshold: { min: 1 } });
  });

  it('a change of return type drops a threshold or pass_when that no longer applies', () => {
    const next = applyMetricPatch(current, readMetricPatch({ return_type: 'boolean', pass_when: false }));
    expect(next.threshold).toBeUndefined();
    expect(next.passWhen).toBe(false);
  });

  it('checks the whole next version', () => {
    expect(() => applyMetricPatch(current, readMetricPatch({ code_snippet: 'print(1)' }))).toThrow(
      /must define a function/,
    );
  });
});

describe('the rules hold for stored versions too', () => {
  it('refuses a version holding a field of another type', () => {
    const { content } = readCreateMetricInput(python());
    expect(() => checkMetricContent({ ...content, modelName: 'gpt-4o' })).toThrow(
      /model_name has no meaning/,
    );
  });
});
