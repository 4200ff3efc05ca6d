/**
 * What one run of the sandbox harness (lambdas/evaluator-executor/harness.py) came to, read from
 * what its process left behind. The local runner and the AWS executor report the same facts, so
 * both turn them into an outcome here; user code can only ever yield an error outcome, never a throw.
 */
import {
  CODE_RUN_ERROR_KINDS,
  type EvaluationErrorKind,
  type EvaluationOutcome,
  type ReturnType,
  type ScoreValue,
} from '../evaluator';

/** What a runner saw of one harness process. */
export interface HarnessProcessReport {
  /** What was read of stdout (at most the limit). */
  stdout: string;
  /** What was read of stderr (at most the limit). */
  stderr: string;
  exitCode: number | null;
  /** The signal that ended the process, e.g. SIGKILL or SIGXCPU. */
  signal: string | null;
  /** The runner killed it at the wall-clock limit. */
  timedOut: boolean;
  /** The runner killed it for writing more than the stdout or stderr limit. */
  outputExceeded: boolean;
  durationMs: number;
  /** The wall-clock limit, for the message. */
  wallClockMs: number;
}

/** Kinds the harness itself may report; anything else on its line is treated as the code's error. */
const HARNESS_KINDS: ReadonlySet<EvaluationErrorKind> = new Set(CODE_RUN_ERROR_KINDS);

const RUNNING_MARKER = 'running';
const MAX_MESSAGE = 2_000;

function error(kind: EvaluationErrorKind, message: string, durationMs: number): EvaluationOutcome {
  return { status: 'error', error: { kind, message: message.slice(0, MAX_MESSAGE) }, durationMs };
}

interface HarnessLines {
  running: boolean;
  result?: Record<string, unknown>;
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The start marker and the last result line. Only complete lines count. */
function harnessLines(stdout: string): HarnessLines {
  const lines = stdout.split('\n').slice(0, -1);
  const found: HarnessLines = { running: false };
  for (const line of lines) {
    const parsed = parseLine(line);
    if (parsed === undefined) continue;
    if (parsed.phase === RUNNING_MARKER) found.running = true;
    else if (parsed.status === 'ok' || parsed.status === 'error') found.result = parsed;
  }
  return found;
}

/** A value as the return type wants it: the harness converted it; this only refuses what does not fit. */
function checkedValue(value: unknown, returnType: ReturnType): ScoreValue | undefined {
  if (returnType === 'float') return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  if (returnType === 'boolean') return typeof value === 'boolean' ? value : undefined;
  return typeof value === 'string' ? value : undefined;
}

function fromResult(
  result: Record<string, unknown>,
  returnType: ReturnType,
  durationMs: number,
): EvaluationOutcome {
  if (result.status === 'ok') {
    const value = checkedValue(result.value, returnType);
    if (value === undefined)
      return error('invalid-return', `the score does not fit the return type ${returnType}`, durationMs);
    const explanation = typeof result.explanation === 'string' ? result.explanation : undefined;
    return explanation === undefined
      ? { status: 'ok', value, durationMs }
      : { status: 'ok', value, explanation, durationMs };
  }
  const kind = result.kind as EvaluationErrorKind;
  const message = typeof result.message === 'string' ? result.message : 'the metric failed';
  return error(HARNESS_KINDS.has(kind) ? kind : 'code-error', message, durationMs);
}

function tail(text: string, length = 500): string {
  const trimmed = text.trim();
  return trimmed.length > length ? `...${trimmed.slice(-length)}` : trimmed;
}

/** The outcome of one harness run. */
export function outcomeOfHarnessRun(report: HarnessProcessReport, returnType: ReturnType): EvaluationOutcome {
  const { durationMs } = report;
  if (report.timedOut)
    return error(
      'timeout',
      `the metric ran longer than ${report.wallClockMs} ms and was stopped`,
      durationMs,
    );
  if (report.outputExceeded)
    return error(
      'output-limit',
      'the metric wrote more output than the sandbox reads and was stopped',
      durationMs,
    );
  const lines = harnessLines(report.stdout);
  if (lines.result !== undefined) return fromResult(lines.result, returnType, durationMs);
  // No result: the process ended early. The kernel's CPU limit ends it with SIGXCPU, then SIGKILL.
  if (report.signal === 'SIGXCPU' || (report.signal === 'SIGKILL' && lines.running))
    return error('timeout', 'the metric used more CPU time than allowed and was stopped', durationMs);
  if (/MemoryError|Cannot allocate memory|out of memory/i.test(report.stderr))
    return error('memory-limit', 'the metric ran out of memory', durationMs);
  const ending = report.signal === null ? `exit code ${report.exitCode}` : `signal ${report.signal}`;
  if (lines.running)
    return error('code-error', `the metric ended the process without a result (${ending})`, durationMs);
  return error(
    'sandbox-error',
    `the sandbox did not start (${ending})${report.stderr.trim() ? `: ${tail(report.stderr)}` : ''}`,
    durationMs,
  );
}
