/**
 * The limits every Python code metric runs under, locally and on AWS (docs/python-metrics.md). The
 * sandbox harness (lambdas/evaluator-executor/harness.py) receives them as its argument and applies
 * them to itself before it runs any user code; the runners enforce the wall clock and the output caps
 * from outside.
 */
import type { EvaluationOutcome } from './evaluator';

export interface CodeLimits {
  /** UTF-8 bytes of the snippet; checked before a process is started. */
  codeBytes: number;
  /** UTF-8 bytes of the request (snippet and event as JSON) written to the harness. */
  inputBytes: number;
  /** Wall clock from the request to the result; the process group is killed after it. */
  wallClockMs: number;
  /** CPU seconds (RLIMIT_CPU); the kernel stops the process past it. */
  cpuSeconds: number;
  /** Address space of the process (RLIMIT_AS and RLIMIT_DATA). */
  memoryBytes: number;
  /** Bytes read from the process's stdout (the result line and what the code printed). */
  stdoutBytes: number;
  /** Bytes read from the process's stderr (kept for diagnosis only). */
  stderrBytes: number;
  /** Characters of what the code printed that are kept as the score's explanation. */
  explanationChars: number;
  /** Characters of a string score. */
  valueChars: number;
  /** Open file descriptors (RLIMIT_NOFILE). */
  openFiles: number;
}

export const DEFAULT_CODE_LIMITS: Readonly<CodeLimits> = Object.freeze({
  codeBytes: 64 * 1024,
  inputBytes: 4 * 1024 * 1024,
  wallClockMs: 5_000,
  cpuSeconds: 3,
  memoryBytes: 256 * 1024 * 1024,
  stdoutBytes: 64 * 1024,
  stderrBytes: 16 * 1024,
  explanationChars: 4 * 1024,
  valueChars: 8 * 1024,
  openFiles: 16,
});

/** The limits as the harness reads them (its one command-line argument, JSON). */
export function harnessLimitsArgument(limits: CodeLimits): string {
  return JSON.stringify({
    cpu_seconds: limits.cpuSeconds,
    memory_bytes: limits.memoryBytes,
    open_files: limits.openFiles,
    code_bytes: limits.codeBytes,
    input_bytes: limits.inputBytes,
    explanation_chars: limits.explanationChars,
    value_chars: limits.valueChars,
    // The result line must fit in what the runner reads, beside the harness's start marker.
    result_bytes: limits.stdoutBytes - 256,
  });
}

/** UTF-8 length of a string without allocating its encoding. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

type Refusal = Extract<EvaluationOutcome, { status: 'error' }>;

/** A code metric over the code-size limit, refused before anything is started. */
export function codeTooLarge(code: string, limits: CodeLimits): Refusal | undefined {
  if (utf8Length(code) <= limits.codeBytes) return undefined;
  return {
    status: 'error',
    error: { kind: 'code-too-large', message: `the code is larger than ${limits.codeBytes} bytes` },
    durationMs: 0,
  };
}

/** A request (the code and the event, as sent to the sandbox) over the input limit. */
export function inputTooLarge(body: string, limits: CodeLimits): Refusal | undefined {
  if (utf8Length(body) <= limits.inputBytes) return undefined;
  return {
    status: 'error',
    error: {
      kind: 'sandbox-error',
      message: `the event is larger than the sandbox takes (${limits.inputBytes} bytes)`,
    },
    durationMs: 0,
  };
}
