/**
 * The judge's parts on their own: the shared score conversion and pass rules, the prompt's
 * variables, the verdict's schema and how answers are read, the per-evaluator budget counter.
 */
import { describe, expect, it } from 'vitest';
import { parseDollars, parseJudgeFallbacks } from '../../../../lambdas/config/judge';
import type { EvaluatorDefinition } from '../../../../lambdas/domain/evaluators/evaluator';
import {
  createJudgeBudget,
  judgeBudgetCounter,
} from '../../../../lambdas/domain/evaluators/judge/judge-budget';
import { judgeModelOf } from '../../../../lambdas/domain/evaluators/judge/judge-runner';
import { renderJudgePrompt } from '../../../../lambdas/domain/evaluators/judge/prompt';
import { readVerdict, verdictSchema } from '../../../../lambdas/domain/evaluators/judge/verdict';
import { convertScore, passedOf, withPassed } from '../../../../lambdas/domain/evaluators/score';
import { periodOf } from '../../../../lambdas/domain/proxy/periods';
import { evaluationInput } from '../../../support/evaluation-input';
import { MemoryUsageCounters } from '../../../support/memory-proxy-limits';

const LIMITS = { explanationChars: 4096, valueChars: 8192 };

describe('convertScore (the harness rules) and passing', () => {
  it('converts as the Python harness does', () => {
    expect(convertScore('0.5', 'float', 10)).toEqual({ ok: true, value: 0.5 });
    expect(convertScore(true, 'float', 10)).toEqual({ ok: true, value: 1 });
    expect(convertScore(' 3e2 ', 'float', 10)).toEqual({ ok: true, value: 300 });
    expect(convertScore('0x10', 'float', 10).ok).toBe(false);
    expect(convertScore('', 'float', 10).ok).toBe(false);
    expect(convertScore(Number.NaN, 'float', 10).ok).toBe(false);
    expect(convertScore(' TRUE ', 'boolean', 10)).toEqual({ ok: true, value: true });
    expect(convertScore(0, 'boolean', 10)).toEqual({ ok: true, value: false });
    expect(convertScore(2, 'boolean', 10).ok).toBe(false);
    expect(convertScore('yes', 'boolean', 10).ok).toBe(false);
    expect(convertScore(1.5, 'string', 10)).toEqual({ ok: true, value: '1.5' });
    expect(convertScore(false, 'string', 10)).toEqual({ ok: true, value: 'false' });
    expect(convertScore('x'.repeat(11), 'string', 10)).toEqual({
      ok: false,
      problem: 'the string score is longer than 10 characters',
    });
    expect(convertScore({}, 'string', 10)).toEqual({
      ok: false,
      problem: 'expected a string, got an object',
    });
  });

  it('passes booleans by passWhen and numbers by threshold bounds (inclusive)', () => {
    expect(passedOf({ passWhen: false }, false)).toBe(true);
    expect(passedOf({ passWhen: true }, false)).toBe(false);
    expect(passedOf({}, true)).toBeUndefined();
    expect(passedOf({ threshold: { min: 0.5 } }, 0.5)).toBe(true);
    expect(passedOf({ threshold: { max: 3 } }, 3.5)).toBe(false);
    expect(passedOf({ threshold: { min: 1, max: 2 } }, 0)).toBe(false);
    expect(passedOf({ threshold: {} }, 1)).toBeUndefined();
    expect(passedOf({ threshold: { min: 0 }, passWhen: true }, 'a')).toBeUndefined();
    const error = { status: 'error', error: { kind: 'timeout', message: 't' }, durationMs: 1 } as const;
    expect(withPassed(error, { passWhen: true })).toBe(error);
    expect(withPassed({ status: 'ok', value: 2, passed: true, durationMs: 1 }, {})).toEqual({
      status: 'ok',
      value: 2,
      durationMs: 1,
    });
  });
});

const input = evaluationInput({
  event_id: 'e1',
  session_id: 's1',
  provider: null,
  inputs: { question: 'Why?', chat_history: [{ role: 'user', content: 'first' }], n: 3 },
  outputs: { content: 'Because.' },
  metadata: { 'gen_ai.system': 'openai', gen_ai: { other: 'nested' }, flag: null },
  feedback: { rating: 5 },
});

describe('renderJudgePrompt', () => {
  it('fills dotted paths, array items, keys with dots, whole sections and top-level fields', () => {
    const rendered = renderJudgePrompt(
      '{{ inputs.question }}|{{inputs.chat_history.0.content}}|{{metadata.gen_ai.system}}|{{metadata.gen_ai.other}}|{{feedback}}|{{inputs.n}}|{{model}}|{{provider}}|{{metadata.flag}}',
      input,
    );
    expect(rendered).toEqual({
      ok: true,
      text: 'Why?|first|openai|nested|{"rating":5}|3|gpt-4o|null|null',
      variables: [
        'inputs.question',
        'inputs.chat_history.0.content',
        'metadata.gen_ai.system',
        'metadata.gen_ai.other',
        'feedback',
        'inputs.n',
        'model',
        'provider',
        'metadata.flag',
      ],
    });
  });

  it('does not fill placeholders inside the values it inserts', () => {
    const rendered = renderJudgePrompt('{{outputs.content}}', {
      ...input,
      outputs: { content: 'say {{inputs.question}} $&' },
    });
    expect(rendered).toMatchObject({ ok: true, text: 'say {{inputs.question}} $&' });
  });

  it('refuses what the event does not have, and names the variable', () => {
    expect(renderJudgePrompt('{{inputs.chat_history.5.content}}', input)).toMatchObject({
      ok: false,
      kind: 'judge-error',
      message: "the prompt's {{inputs.chat_history.5.content}} names nothing in this event",
    });
    expect(renderJudgePrompt('{{question}}', input)).toMatchObject({ ok: false, kind: 'judge-error' });
    expect(renderJudgePrompt('{{ground_truth.answer}}', input)).toMatchObject({
      ok: false,
      kind: 'missing-ground-truth',
    });
    expect(
      renderJudgePrompt('{{ground_truth.answer}}', { ...input, ground_truth: { answer: 42 } }),
    ).toMatchObject({
      ok: true,
      text: '42',
    });
  });

  it('cuts long values and refuses a prompt over the limit', () => {
    const long = { ...input, outputs: { content: 'x'.repeat(50) } };
    expect(
      renderJudgePrompt('{{outputs.content}}', long, { valueChars: 10, promptChars: 100 }),
    ).toMatchObject({
      ok: true,
      text: `${'x'.repeat(10)}… [40 more characters cut]`,
    });
    expect(
      renderJudgePrompt('{{outputs.content}}{{outputs.content}}', long, { valueChars: 60, promptChars: 99 }),
    ).toMatchObject({
      ok: false,
      kind: 'judge-error',
      message: expect.stringContaining('100 characters, more than the 99'),
    });
  });
});

describe('readVerdict', () => {
  it('the schema asks for the explanation and a rating of the return type', () => {
    expect(verdictSchema('float')).toMatchObject({
      required: ['explanation', 'rating'],
      additionalProperties: false,
      properties: { rating: { type: 'number' }, explanation: { type: 'string' } },
    });
  });

  it('reads JSON, fenced JSON and JSON amid words', () => {
    expect(readVerdict({ text: '{"rating": 4, "explanation": " ok "}' }, 'float', LIMITS)).toEqual({
      ok: true,
      value: 4,
      explanation: 'ok',
    });
    expect(readVerdict({ text: 'Sure:\n```json\n{"rating":"true"}\n```' }, 'boolean', LIMITS)).toEqual({
      ok: true,
      value: true,
    });
    expect(readVerdict({ text: 'Here: {"explanation":"e","rating":"good"} done' }, 'string', LIMITS)).toEqual(
      {
        ok: true,
        value: 'good',
        explanation: 'e',
      },
    );
  });

  it('falls back to the last [[rating]], with yes/no for booleans and the rest as the explanation', () => {
    expect(readVerdict({ text: 'Looks right.\nVerdict: [[Yes]]' }, 'boolean', LIMITS)).toEqual({
      ok: true,
      value: true,
      explanation: 'Looks right.',
    });
    expect(readVerdict({ text: '[[fail]] because it is wrong' }, 'boolean', LIMITS)).toEqual({
      ok: true,
      value: false,
      explanation: 'because it is wrong',
    });
    expect(readVerdict({ text: 'Score: [[ 7 ]]' }, 'float', LIMITS)).toEqual({ ok: true, value: 7 });
    expect(readVerdict({ text: '[[seven]]' }, 'float', LIMITS)).toMatchObject({
      ok: false,
      message: expect.stringContaining('does not fit float'),
    });
  });

  it('says why there is no rating: nothing, a refusal, a cut answer', () => {
    expect(readVerdict({ text: '  ' }, 'float', LIMITS)).toEqual({
      ok: false,
      message: "the judge's model answered nothing",
    });
    expect(readVerdict({ text: 'no', finishReason: 'content_filter' }, 'float', LIMITS)).toMatchObject({
      ok: false,
      message: expect.stringContaining('refused'),
    });
    expect(readVerdict({ text: 'The answer is', finishReason: 'length' }, 'float', LIMITS)).toMatchObject({
      ok: false,
      message: expect.stringContaining('cut at the token limit'),
    });
    expect(readVerdict({ text: '{"score": 3}' }, 'float', LIMITS)).toMatchObject({ ok: false });
  });

  it('keeps at most explanationChars of the explanation', () => {
    const verdict = readVerdict({ text: `${'why '.repeat(20)}[[1]]` }, 'float', {
      explanationChars: 8,
      valueChars: 8,
    });
    expect(verdict).toEqual({ ok: true, value: 1, explanation: 'why why …' });
  });
});

describe('judgeModelOf', () => {
  const base = { type: 'model', name: 'j' } as const;
  it('joins provider and model, or reads the model name as the proxy does', () => {
    expect(judgeModelOf({ ...base, modelProvider: 'anthropic', modelName: 'claude-haiku-4-5' })).toEqual({
      ok: true,
      name: 'anthropic/claude-haiku-4-5',
      provider: 'anthropic',
    });
    expect(judgeModelOf({ ...base, modelName: 'openai/gpt-4o' })).toEqual({
      ok: true,
      name: 'openai/gpt-4o',
      provider: 'openai',
    });
    expect(judgeModelOf({ ...base, modelName: 'my-judge-config' })).toEqual({
      ok: true,
      name: 'my-judge-config',
    });
  });
});

describe('the judge budget', () => {
  const tenant = { org_id: 'o', workspace_id: 'w', project_id: 'p' };
  const at = Date.UTC(2026, 11, 3, 23, 59, 0);
  const evaluator = { id: 'ev/1', name: 'j', judgeBudgetUsdPerDay: 0.01 } as EvaluatorDefinition;

  it('reserves on the evaluator’s day counter, settles to the real cost, refuses once spent', async () => {
    const counters = new MemoryUsageCounters();
    const budget = createJudgeBudget({ counters, defaultUsdPerDay: 5 });
    const counter = judgeBudgetCounter(tenant, 'ev/1', periodOf('day', at));
    expect(counter).toBe('o:w:p#evaluator:ev%2F1#day#2026-12-03');
    const first = await budget.reserve(tenant, evaluator, 0.02, at);
    if (!first.granted) throw new Error('refused');
    expect(counters.values.get(counter)).toBe(20_000);
    await budget.settle(first.hold, 0.011);
    expect(counters.values.get(counter)).toBe(11_000);
    const second = await budget.reserve(tenant, evaluator, 0.001, at);
    expect(second).toEqual({
      granted: false,
      message:
        'the daily judge budget of $0.01 of evaluator "j" is spent for 2026-12-03 (UTC); it renews at midnight UTC',
      retryAfterSeconds: 60,
    });
    // The next day starts again.
    expect((await budget.reserve(tenant, evaluator, 0.001, at + 120_000)).granted).toBe(true);
  });

  it('lets concurrent judges cross the budget by at most one reservation each, and never throws on settle', async () => {
    const counters = new MemoryUsageCounters();
    const failures: string[] = [];
    const budget = createJudgeBudget({
      counters,
      defaultUsdPerDay: 0.005,
      onCounterFailure: (_error, { counter }) => failures.push(counter),
    });
    const noBudget = { ...evaluator, judgeBudgetUsdPerDay: undefined };
    const decisions = await Promise.all(
      Array.from({ length: 5 }, () => budget.reserve(tenant, noBudget, 0.002, at)),
    );
    expect(decisions.filter((d) => d.granted)).toHaveLength(3);
    counters.failOn = { action: 'add', match: /evaluator/ };
    const granted = decisions.find((d) => d.granted);
    if (!granted?.granted) throw new Error('none granted');
    await expect(budget.settle(granted.hold, 0)).resolves.toBeUndefined();
    expect(failures).toHaveLength(1);
    await expect(budget.reserve(tenant, { ...evaluator, judgeBudgetUsdPerDay: -1 }, 0, at)).rejects.toThrow(
      'non-negative',
    );
  });
});

describe('the judge configuration', () => {
  it('reads the default budget and the fallbacks strictly', () => {
    expect(parseDollars('2.50', 'JUDGE_DAILY_BUDGET_USD')).toBe(2.5);
    expect(() => parseDollars('-1', 'JUDGE_DAILY_BUDGET_USD')).toThrow('from 0 to');
    expect(() => parseDollars('1e9', 'JUDGE_DAILY_BUDGET_USD')).toThrow('from 0 to');
    expect(parseJudgeFallbacks({ 'openai/gpt-4o-mini': ['anthropic/claude-haiku-4-5'] })).toEqual({
      'openai/gpt-4o-mini': ['anthropic/claude-haiku-4-5'],
    });
    expect(() => parseJudgeFallbacks({ 'gpt-4o': [] })).toThrow('not <provider>/<model>');
    expect(() => parseJudgeFallbacks({ 'openai/a': ['x/y'] })).toThrow('known provider');
    expect(() =>
      parseJudgeFallbacks({ 'openai/a': ['openai/b', 'openai/c', 'openai/d', 'openai/e'] }),
    ).toThrow('at most 3');
  });
});
