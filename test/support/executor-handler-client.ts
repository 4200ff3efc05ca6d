/**
 * A stand-in for the Lambda service in front of the evaluator executor: each InvokeCommand runs
 * lambdas/evaluator-executor/handler.py's `handler(event, context)` in a fresh `python3` process,
 * as Lambda's Python runtime would call it, with this process's environment (on AWS the handler's
 * environment holds the function's credentials, which is what the harness must keep from user
 * code). What it answers is what Lambda's Invoke API answers: the handler's JSON return value as
 * Payload, or FunctionError with the error document when the handler raises.
 *
 * Not modelled: tenant isolation, the VPC without egress and the execution role; those are
 * checked on the synthesized template (test/infra/evaluator-executor.test.ts).
 */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InvokeCommand, InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';

const EXECUTOR_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../lambdas/evaluator-executor');

/** Loads handler.py the way the runtime does (its directory on sys.path) and prints its answer. */
const RUNTIME = `
import json, sys, traceback
sys.path.insert(0, sys.argv[1])
import handler
event = json.load(sys.stdin)
try:
    print(json.dumps({"ok": handler.handler(event, None)}))
except Exception as failure:
    print(json.dumps({"error": {"errorType": type(failure).__name__, "errorMessage": str(failure)}}))
`;

/** The SDK types Payload as its blob adapter; the runner only decodes it as bytes. */
export function invokePayload(value: unknown): InvokeCommandOutput['Payload'] {
  return new TextEncoder().encode(JSON.stringify(value)) as InvokeCommandOutput['Payload'];
}

export interface HandlerInvocation {
  tenantId: string | undefined;
  functionName: string | undefined;
}

export class ExecutorHandlerClient {
  /** What each invocation asked for, to check the tenant id the runner sends. */
  readonly invocations: HandlerInvocation[] = [];

  constructor(private readonly python = 'python3') {}

  async send(command: InvokeCommand): Promise<Pick<InvokeCommandOutput, 'Payload' | 'FunctionError'>> {
    const { FunctionName, TenantId, Payload } = command.input;
    this.invocations.push({ tenantId: TenantId, functionName: FunctionName });
    const request = typeof Payload === 'string' ? Buffer.from(Payload) : Buffer.from(Payload as Uint8Array);
    const output = await this.runHandler(request);
    const answer = JSON.parse(output) as { ok?: unknown; error?: unknown };
    if ('error' in answer) return { FunctionError: 'Unhandled', Payload: invokePayload(answer.error) };
    return { Payload: invokePayload(answer.ok) };
  }

  /** Typed as the SDK client the runner takes; only `send` of an InvokeCommand is used. */
  asLambdaClient(): LambdaClient {
    return this as unknown as LambdaClient;
  }

  private runHandler(payload: Buffer): Promise<string> {
    return new Promise((resolveOutput, reject) => {
      const child = spawn(this.python, ['-c', RUNTIME, EXECUTOR_DIR], { stdio: ['pipe', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolveOutput(Buffer.concat(stdout).toString('utf8'));
        else reject(new Error(`handler.py exited with ${code}: ${Buffer.concat(stderr).toString('utf8')}`));
      });
      child.stdin.end(payload);
    });
  }
}
