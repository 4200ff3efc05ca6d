import { describe, expect, it } from 'vitest';
import {
  type HarnessProcessReport,
  outcomeOfHarnessRun,
} from '../../../../lambdas/domain/evaluators/code/process-outcome';

const RUNNING = '{"phase": "running"}\n';

function report(overrides: Partial<HarnessProcessReport>): HarnessProcessReport {
  return {
    stdout: '',
    stderr: '',
    exitCode: 0,
    signal: null,
    timedOut: false,
    outputExceeded: false,
    durationMs: 12,
    wallClockMs: 5_000,
    ...overrides,
  };
}

describe('outcomeOfHarnessRun', () => {
  it('takes the result line after the start marker', () => {
    const stdout = `${RUNNING}{"status": "ok", "value": 0.5, "explanation": "half"}\n`;
    expect(outcomeOfHarnessRun(report({ stdout }), 'float')).toEqual({
      status: 'ok',
      value: 0.5,
      explanation: 'half',
      durationMs: 12,
    });
  });

  it("reports the harness's error kinds, and any other kind as the code's error", () => {
    const line = (kind: string) => `${RUNNING}{"status": "error", "kind": "${kind}", "message": "m"}\n`;
    expect(outcomeOfHarnessRun(report({ stdout: line('memory-limit') }), 'float')).toMatchObject({
      error: { kind: 'memory-limit', message: 'm' },
    });
    expect(outcomeOfHarnessRun(report({ stdout: line('budget-exceeded') }), 'float')).toMatchObject({
      error: { kind: 'code-error' },
    });
  });

  it('refuses a value that does not fit the return type (a line the code forged itself)', () => {
    const stdout = `${RUNNING}{"status": "ok", "value": "1"}\n`;
    expect(outcomeOfHarnessRun(report({ stdout }), 'float')).toMatchObject({
      error: { kind: 'invalid-return' },
    });
  });

  it('reports the wall clock, then the output cap, before anything the process wrote', () => {
    const stdout = `${RUNNING}{"status": "ok", "value": 1}\n`;
    expect(outcomeOfHarnessRun(report({ stdout, timedOut: true, signal: 'SIGKILL' }), 'float')).toMatchObject(
      {
        error: { kind: 'timeout', message: expect.stringContaining('5000 ms') },
      },
    );
    expect(outcomeOfHarnessRun(report({ stdout, outputExceeded: true }), 'float')).toMatchObject({
      error: { kind: 'output-limit' },
    });
  });

  it('tells the CPU limit, memory, a crash of the code and a sandbox that never started apart', () => {
    expect(
      outcomeOfHarnessRun(report({ stdout: RUNNING, exitCode: null, signal: 'SIGXCPU' }), 'float'),
    ).toMatchObject({ error: { kind: 'timeout' } });
    expect(
      outcomeOfHarnessRun(report({ stdout: RUNNING, exitCode: 1, stderr: 'MemoryError' }), 'float'),
    ).toMatchObject({ error: { kind: 'memory-limit' } });
    expect(outcomeOfHarnessRun(report({ stdout: RUNNING, exitCode: 3 }), 'float')).toMatchObject({
      error: { kind: 'code-error', message: expect.stringContaining('exit code 3') },
    });
    expect(outcomeOfHarnessRun(report({ exitCode: 1, stderr: 'No such file' }), 'float')).toMatchObject({
      error: { kind: 'sandbox-error', message: expect.stringContaining('No such file') },
    });
  });

  it('ignores an incomplete last line', () => {
    const stdout = `${RUNNING}{"status": "ok", "val`;
    expect(outcomeOfHarnessRun(report({ stdout, exitCode: 1 }), 'float')).toMatchObject({
      error: { kind: 'code-error' },
    });
  });
});
