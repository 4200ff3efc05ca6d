/**
 * HoneyHive's contract for Python code metrics, on the local sandbox: the first function defined in
 * the snippet is called with the event; its value is converted to the return type; faults of the
 * code come back as error outcomes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PYTHON_MISSING_MESSAGE, PythonSandbox } from '../../../../lambdas/adapters/local/python-sandbox';
import { DEFAULT_CODE_LIMITS } from '../../../../lambdas/domain/evaluators/code-limits';
import type { EvaluationOutcome, ReturnType } from '../../../../lambdas/domain/evaluators/evaluator';
import { evaluationInput } from '../../../support/evaluation-input';

const sandbox = new PythonSandbox({ limits: { wallClockMs: 2_000 } });
afterAll(() => sandbox.close());

const input = evaluationInput({
  outputs: { content: 'The answer is 4.' },
  metadata: { latency_ms: 120 },
  config: { temperature: 0 },
  feedback: { rating: 5 },
  metrics: { earlier: 0.5 },
  user_properties: { plan: 'pro' },
});

function run(code: string, returnType: ReturnType = 'float', event = input): Promise<EvaluationOutcome> {
  return sandbox.run({ projectId: 'project-unit', code, returnType, input: event });
}

function errorKind(outcome: EvaluationOutcome): string | undefined {
  return outcome.status === 'error' ? outcome.error.kind : undefined;
}

describe('Python code metrics: the contract', () => {
  it('calls the first function defined in the snippet, not a later one', async () => {
    const code = 'def first(event):\n    return 1\n\ndef second(event):\n    return 2\n';
    expect(await run(code)).toMatchObject({ status: 'ok', value: 1 });
  });

  it('runs the module body first: imports, constants and helpers defined after the metric', async () => {
    const code = [
      'import re, json, math, statistics',
      'WORDS = re.compile(r"\\w+")',
      'def metric(event):',
      '    return helper(event["outputs"]["content"])',
      'def helper(text):',
      '    return statistics.mean(len(w) for w in WORDS.findall(text))',
    ].join('\n');
    expect(await run(code)).toMatchObject({ status: 'ok', value: 3 });
  });

  it('passes every section of the event', async () => {
    const code = [
      'def sections(event):',
      '    keys = ["inputs", "outputs", "metadata", "config", "feedback", "metrics", "user_properties"]',
      '    return ",".join(k for k in keys if isinstance(event[k], dict) and event[k])',
      '',
    ].join('\n');
    expect(await run(code, 'string')).toMatchObject({
      status: 'ok',
      value: 'inputs,outputs,metadata,config,feedback,metrics,user_properties',
    });
  });

  it('passes the ground truth when the event has one', async () => {
    const code =
      'def exact(event):\n    return event["outputs"]["content"] == event.get("ground_truth", {}).get("answer")\n';
    expect(
      await run(code, 'boolean', { ...input, ground_truth: { answer: 'The answer is 4.' } }),
    ).toMatchObject({
      status: 'ok',
      value: true,
    });
    expect(await run(code, 'boolean')).toMatchObject({ status: 'ok', value: false });
  });

  it('keeps what the code printed as the explanation', async () => {
    expect(await run('def m(event):\n    print("length", 16)\n    return 16\n')).toEqual({
      status: 'ok',
      value: 16,
      explanation: 'length 16',
      durationMs: expect.any(Number),
    });
  });

  it('runs each project in its own processes, and a second run of a project after the first', async () => {
    const code = 'def m(event):\n    return event["metadata"]["latency_ms"]\n';
    const runs = await Promise.all(
      ['a', 'b', 'a', 'b'].map((project) =>
        sandbox.run({ projectId: project, code, returnType: 'float', input }),
      ),
    );
    expect(runs.map((outcome) => outcome.status === 'ok' && outcome.value)).toEqual([120, 120, 120, 120]);
  });
});

describe('Python code metrics: return types', () => {
  it.each([
    ['float', 'return 0.75', 0.75],
    ['float', 'return 3', 3],
    ['float', 'return "0.5"', 0.5],
    ['float', 'return True', 1],
    ['boolean', 'return True', true],
    ['boolean', 'return False', false],
    ['boolean', 'return "true"', true],
    ['boolean', 'return " False "', false],
    ['boolean', 'return 1', true],
    ['boolean', 'return 0', false],
    ['string', 'return "good"', 'good'],
    ['string', 'return 42', '42'],
    ['string', 'return 0.5', '0.5'],
    ['string', 'return False', 'false'],
  ] as const)('%s: `%s` scores %j', async (returnType, body, value) => {
    expect(await run(`def m(event):\n    ${body}\n`, returnType)).toMatchObject({ status: 'ok', value });
  });

  it.each([
    ['float', 'return float("nan")'],
    ['float', 'return float("inf")'],
    ['float', 'return "high"'],
    ['float', 'return None'],
    ['float', 'return [1]'],
    ['boolean', 'return "yes"'],
    ['boolean', 'return 2'],
    ['boolean', 'return None'],
    ['string', 'return None'],
    ['string', 'return {"a": 1}'],
  ] as const)('%s: `%s` is an invalid return', async (returnType, body) => {
    expect(errorKind(await run(`def m(event):\n    ${body}\n`, returnType))).toBe('invalid-return');
  });
});

describe('Python code metrics: errors', () => {
  it('reports an exception with the line of the snippet it came from', async () => {
    const outcome = await run('def m(event):\n    x = 1\n    return event["missing"]\n');
    expect(outcome).toMatchObject({ status: 'error', error: { kind: 'code-error' } });
    if (outcome.status === 'error') {
      expect(outcome.error.message).toContain('line 3, in m');
      expect(outcome.error.message).toContain("KeyError: 'missing'");
      expect(outcome.error.message).not.toContain('harness');
    }
  });

  it('reports a syntax error', async () => {
    const outcome = await run('def m(event):\n    return (\n');
    expect(outcome).toMatchObject({ status: 'error', error: { kind: 'code-error' } });
    if (outcome.status === 'error') expect(outcome.error.message).toMatch(/^SyntaxError/);
  });

  it('reports a snippet without a function', async () => {
    expect(await run('x = 1\n')).toMatchObject({
      status: 'error',
      error: { kind: 'code-error', message: expect.stringMatching(/defines no function/) },
    });
  });

  it('refuses an async function', async () => {
    expect(errorKind(await run('async def m(event):\n    return 1\n'))).toBe('code-error');
  });

  it('refuses a module the sandbox does not have, as an ImportError the code can catch', async () => {
    const code =
      'try:\n    import numpy\n    HAVE = "numpy"\nexcept ImportError:\n    HAVE = "none"\ndef m(event):\n    return HAVE\n';
    expect(await run(code, 'string')).toMatchObject({ status: 'ok', value: 'none' });
  });

  it('refuses code larger than the limit before starting a process', async () => {
    const code = `def m(event):\n    return 1\n# ${'x'.repeat(DEFAULT_CODE_LIMITS.codeBytes)}\n`;
    expect(await run(code)).toEqual({
      status: 'error',
      error: { kind: 'code-too-large', message: expect.stringContaining('65536') },
      durationMs: 0,
    });
  });

  it('says to install python3 when there is none', async () => {
    const missing = new PythonSandbox({ python: '/nonexistent/python3' });
    const outcome = await missing.run({
      projectId: 'p',
      code: 'def m(e):\n    return 1\n',
      returnType: 'float',
      input,
    });
    missing.close();
    expect(outcome).toMatchObject({ status: 'error', error: { kind: 'sandbox-error' } });
    if (outcome.status === 'error') {
      expect(outcome.error.message).toContain(PYTHON_MISSING_MESSAGE);
      expect(outcome.error.message).toContain('install python3');
    }
  });
});
