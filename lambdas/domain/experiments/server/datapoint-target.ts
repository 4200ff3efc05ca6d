/**
 * What an experiment runs each datapoint against:
 *
 * - a saved prompt configuration: one chat completion through the LLM proxy's own service (the
 *   project's provider keys, fallbacks, retries, budgets and rate limit, the same provider code the
 *   proxy function runs), the configuration's template filled with the datapoint's inputs (strings as
 *   they are, anything else as JSON). The proxy publishes the call's model event, here a child of the
 *   datapoint's session, with the run, dataset and datapoint in its metadata;
 * - an HTTP endpoint: the datapoint POSTed as JSON (`{inputs, ground_truth, history, datapoint_id,
 *   run_id}`), its JSON answer the session's outputs. The fetch given decides where it may go (on AWS
 *   the address-checked one: https to public addresses only).
 *
 * A refusal (the configuration's template lacks a variable, the provider or endpoint answered 4xx)
 * is an answer with an error: the datapoint is done. A transient failure (5xx, a timeout, the
 * provider down) throws TransientDatapointError, and the project's rate limit ExperimentThrottledError.
 */
import type { DatapointRecord } from '../../datasets/model';
import { isDomainError, RateLimitedError, UnavailableError } from '../../errors';
import type { JsonObject } from '../../events/event';
import { isJsonObject } from '../../honeyhive/fields';
import { ProviderCallError } from '../../proxy/proxy-errors';
import type { ProxyInput, ProxyResult } from '../../proxy/proxy-service';
import type { ExperimentRun } from './request';
import { EXPERIMENT_EVENT_SOURCE, ExperimentThrottledError, TransientDatapointError } from './steps';

export interface DatapointCall {
  run: ExperimentRun;
  datapoint: DatapointRecord;
  sessionId: string;
}

export interface DatapointAnswer {
  outputs: JsonObject;
  /** The target refused the datapoint: its session records why. */
  error?: string;
}

export interface DatapointTarget {
  call(call: DatapointCall): Promise<DatapointAnswer>;
}

/** The longest an endpoint may take to answer one datapoint. */
export const ENDPOINT_TIMEOUT_MS = 60_000;
/** The largest endpoint answer kept: 1 MiB, what one event's outputs may hold comfortably on the events queue. */
export const MAX_ENDPOINT_ANSWER_BYTES = 1024 * 1024;

export interface TargetDeps {
  proxy: { handle(input: ProxyInput): Promise<ProxyResult> };
  fetch: typeof globalThis.fetch;
  /** The endpoint's headers, kept beside the run's item list (they may hold credentials). */
  endpointHeaders(run: ExperimentRun): Promise<Record<string, string>>;
  endpointTimeoutMs?: number;
}

export function experimentTarget(deps: TargetDeps): DatapointTarget {
  return {
    call: (call) =>
      call.run.target.type === 'configuration' ? configurationCall(call, deps) : endpointCall(call, deps),
  };
}

async function configurationCall(
  { run, datapoint, sessionId }: DatapointCall,
  deps: TargetDeps,
): Promise<DatapointAnswer> {
  if (run.target.type !== 'configuration') throw new Error('not a configuration run');
  const metadata: JsonObject = { run_id: run.run_id, dataset_id: run.dataset_id, datapoint_id: datapoint.id };
  let result: ProxyResult;
  try {
    result = await deps.proxy.handle({
      caller: {
        tenant: { org_id: run.org_id, workspace_id: run.workspace_id, project_id: run.project_id },
        projectName: run.project_name,
        credentialId: `experiment:${run.run_id}`,
      },
      body: { model: run.target.configuration_name, messages: [], variables: variablesOf(datapoint.inputs) },
      requestId: `${run.run_id}-${datapoint.id}`,
      trace: { source: EXPERIMENT_EVENT_SOURCE, metadata, sessionId },
    });
  } catch (failure) {
    if (failure instanceof RateLimitedError) throw new ExperimentThrottledError(failure.message);
    if (failure instanceof ProviderCallError) {
      if (failure.code === 'provider_refused') return { outputs: {}, error: failure.message };
      throw new TransientDatapointError(failure.message);
    }
    if (failure instanceof UnavailableError) throw new TransientDatapointError(failure.message);
    // A missing template variable, a configuration or provider key gone: the datapoint cannot run.
    if (isDomainError(failure)) return { outputs: {}, error: failure.message };
    throw failure;
  }
  if (result.kind !== 'completion') throw new Error('the proxy streamed a call that asked for no stream');
  await result.recorded;
  const message = result.completion.choices[0]?.message;
  return {
    outputs: {
      role: 'assistant',
      content: message?.content ?? '',
      ...(message?.tool_calls &&
        message.tool_calls.length > 0 && { tool_calls: message.tool_calls as unknown as JsonObject[] }),
    },
  };
}

async function endpointCall({ run, datapoint }: DatapointCall, deps: TargetDeps): Promise<DatapointAnswer> {
  if (run.target.type !== 'endpoint') throw new Error('not an endpoint run');
  const headers = run.target.has_headers ? await deps.endpointHeaders(run) : {};
  let response: Response;
  try {
    response = await deps.fetch(run.target.url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: datapoint.inputs,
        ground_truth: datapoint.ground_truth,
        history: datapoint.history,
        datapoint_id: datapoint.id,
        run_id: run.run_id,
      }),
      signal: AbortSignal.timeout(deps.endpointTimeoutMs ?? ENDPOINT_TIMEOUT_MS),
      redirect: 'manual',
    });
  } catch (failure) {
    // Refused by the address checks: the URL will never be allowed.
    if (failure instanceof Error && failure.name === 'BlockedAddressError')
      return { outputs: {}, error: failure.message };
    throw new TransientDatapointError(
      `the endpoint did not answer: ${(failure as Error).message ?? String(failure)}`,
    );
  }
  const text = await response.text();
  if (response.status === 429) throw new ExperimentThrottledError('the endpoint answered 429');
  if (response.status >= 500) throw new TransientDatapointError(`the endpoint answered ${response.status}`);
  if (response.status >= 300) return { outputs: {}, error: `the endpoint answered ${response.status}` };
  if (Buffer.byteLength(text) > MAX_ENDPOINT_ANSWER_BYTES)
    return { outputs: {}, error: `the endpoint's answer is larger than ${MAX_ENDPOINT_ANSWER_BYTES} bytes` };
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    return { outputs: { content: text } };
  }
  return { outputs: isJsonObject(body) ? body : { content: body as JsonObject[keyof JsonObject] } };
}

/** A template's variables are text: strings as they are, other values as their JSON. */
function variablesOf(inputs: JsonObject): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
}
