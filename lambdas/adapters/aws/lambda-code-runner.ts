/**
 * Python code metrics on AWS: the evaluator executor function (lib/data-plane/evaluator-executor.ts,
 * lambdas/evaluator-executor/handler.py) runs the same harness as the local sandbox, in a function
 * with tenant isolation: the tenant id is the project id, so two projects never share an execution
 * environment (https://docs.aws.amazon.com/lambda/latest/dg/tenant-isolation-invoke.html). The
 * function reports what the harness process left behind; the outcome is read here, exactly as the
 * local runner reads it.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { type HarnessProcessReport, outcomeOfHarnessRun } from '../../domain/evaluators/code/process-outcome';
import {
  type CodeLimits,
  codeTooLarge,
  DEFAULT_CODE_LIMITS,
  harnessLimitsArgument,
  inputTooLarge,
} from '../../domain/evaluators/code-limits';
import type {
  CodeMetricRunner,
  CodeRunRequest,
  EvaluationInput,
  EvaluationOutcome,
  ReturnType,
} from '../../domain/evaluators/evaluator';

/** What the executor takes (handler.py). */
export interface ExecutorRequest {
  code: string;
  return_type: ReturnType;
  input: EvaluationInput;
  /** The harness's argument (harnessLimitsArgument). */
  harness_limits: string;
  wall_clock_ms: number;
  stdout_bytes: number;
  stderr_bytes: number;
}

/** What the executor answers (handler.py): the facts of one harness process. */
export interface ExecutorResponse {
  stdout: string;
  stderr: string;
  exit_code: number | null;
  signal: string | null;
  timed_out: boolean;
  output_exceeded: boolean;
  duration_ms: number;
}

/** Lambda's tenant id: 1-256 characters of letters, digits and a few punctuation marks. */
const TENANT_ID = /^[a-zA-Z0-9._:/=+\-@ ]{1,256}$/;

function sandboxError(message: string, durationMs = 0): EvaluationOutcome {
  return { status: 'error', error: { kind: 'sandbox-error', message }, durationMs };
}

function isResponse(value: unknown): value is ExecutorResponse {
  const response = value as ExecutorResponse;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof response.stdout === 'string' &&
    typeof response.stderr === 'string' &&
    typeof response.timed_out === 'boolean' &&
    typeof response.output_exceeded === 'boolean' &&
    typeof response.duration_ms === 'number'
  );
}

export class LambdaCodeRunner implements CodeMetricRunner {
  readonly limits: CodeLimits;

  constructor(
    private readonly client: LambdaClient,
    /** The executor's name or ARN (EvaluatorExecutor.function). */
    private readonly functionName: string,
    limits: Partial<CodeLimits> = {},
  ) {
    this.limits = { ...DEFAULT_CODE_LIMITS, ...limits };
  }

  async run(request: CodeRunRequest): Promise<EvaluationOutcome> {
    const { projectId, code, returnType, input } = request;
    const tooLarge = codeTooLarge(code, this.limits);
    if (tooLarge) return tooLarge;
    if (!TENANT_ID.test(projectId))
      return sandboxError(`the project id cannot be a Lambda tenant id: ${projectId}`);
    const body: ExecutorRequest = {
      code,
      return_type: returnType,
      input,
      harness_limits: harnessLimitsArgument(this.limits),
      wall_clock_ms: this.limits.wallClockMs,
      stdout_bytes: this.limits.stdoutBytes,
      stderr_bytes: this.limits.stderrBytes,
    };
    const payload = JSON.stringify(body);
    const refused = inputTooLarge(payload, this.limits);
    if (refused) return refused;

    const started = performance.now();
    let response: ExecutorResponse;
    try {
      const result = await this.client.send(
        new InvokeCommand({
          FunctionName: this.functionName,
          InvocationType: 'RequestResponse',
          // Tenant isolation: the project's own execution environments only.
          TenantId: projectId,
          Payload: new TextEncoder().encode(payload),
        }),
      );
      const text = result.Payload ? new TextDecoder().decode(result.Payload) : '';
      if (result.FunctionError)
        return sandboxError(`the executor failed: ${text.slice(0, 500)}`, elapsed(started));
      const parsed: unknown = JSON.parse(text);
      if (!isResponse(parsed)) return sandboxError('the executor answered something else', elapsed(started));
      response = parsed;
    } catch (failure) {
      // Throttling, the network, a missing function: the platform's fault, retryable.
      return sandboxError(
        `the executor could not be invoked: ${(failure as Error).message}`,
        elapsed(started),
      );
    }
    const report: HarnessProcessReport = {
      stdout: response.stdout,
      stderr: response.stderr,
      exitCode: response.exit_code,
      signal: response.signal,
      timedOut: response.timed_out,
      outputExceeded: response.output_exceeded,
      durationMs: response.duration_ms,
      wallClockMs: this.limits.wallClockMs,
    };
    return outcomeOfHarnessRun(report, returnType);
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
