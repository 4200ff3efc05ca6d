/**
 * What a datapoint runs against (domain/experiments/server/datapoint-target.ts): a configuration
 * through the proxy's service (template variables from the inputs, the model event a child of the
 * session, refusals answered, transient failures and throttling thrown), and an HTTP endpoint (the
 * datapoint POSTed with the run's headers, its JSON answer the outputs, 4xx refused, 5xx transient,
 * 429 throttled, an oversized answer refused).
 */
import { describe, expect, it } from 'vitest';
import type { DatapointRecord } from '../../../lambdas/domain/datasets/model';
import { NotFoundError, RateLimitedError, ValidationError } from '../../../lambdas/domain/errors';
import {
  experimentTarget,
  MAX_ENDPOINT_ANSWER_BYTES,
} from '../../../lambdas/domain/experiments/server/datapoint-target';
import type { ExperimentRun } from '../../../lambdas/domain/experiments/server/request';
import {
  ExperimentThrottledError,
  TransientDatapointError,
} from '../../../lambdas/domain/experiments/server/steps';
import { ProviderCallError } from '../../../lambdas/domain/proxy/proxy-errors';
import type { ProxyInput, ProxyResult } from '../../../lambdas/domain/proxy/proxy-service';

const datapoint: DatapointRecord = {
  id: 'dp-1',
  project_id: 'p1',
  inputs: { question: 'Capital of France?', facts: { count: 2 } },
  history: [],
  ground_truth: { answer: 'Paris' },
  linked_evals: [],
  linked_datasets: [],
  saved: true,
  type: 'evaluation',
  metadata: {},
  created_at: 0,
  updated_at: 0,
};

function runOf(target: ExperimentRun['target']): ExperimentRun {
  return {
    org_id: 'o1',
    workspace_id: 'w1',
    project_id: 'p1',
    run_id: 'run-1',
    name: 'n',
    project_name: 'demo',
    dataset_id: 'd1',
    target,
    metrics: [],
    max_concurrency: 10,
    requested_at: 0,
  };
}

const configurationRun = runOf({
  type: 'configuration',
  configuration_id: 'c1',
  configuration_name: 'answerer',
  configuration_version: 2,
});
const endpointRun = runOf({ type: 'endpoint', url: 'https://api.example.com/run', has_headers: true });

function completion(text: string): ProxyResult {
  return {
    kind: 'completion',
    completion: {
      id: 'x',
      object: 'chat.completion',
      created: 0,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    } as never,
    cacheHit: false,
    eventId: 'e1',
    recorded: Promise.resolve(),
  };
}

function withProxy(handle: (input: ProxyInput) => Promise<ProxyResult>) {
  const inputs: ProxyInput[] = [];
  const target = experimentTarget({
    proxy: {
      handle: async (input) => {
        inputs.push(input);
        return handle(input);
      },
    },
    fetch: async () => {
      throw new Error('no fetch here');
    },
    endpointHeaders: async () => ({}),
  });
  return { target, inputs };
}

describe('a configuration target', () => {
  it("fills the configuration's template from the inputs and makes its model event a child of the session", async () => {
    const { target, inputs } = withProxy(async () => completion('Paris'));
    const answer = await target.call({ run: configurationRun, datapoint, sessionId: 's-1' });
    expect(answer).toEqual({ outputs: { role: 'assistant', content: 'Paris' } });
    expect(inputs[0]).toMatchObject({
      caller: { tenant: { project_id: 'p1' }, projectName: 'demo', credentialId: 'experiment:run-1' },
      body: {
        model: 'answerer',
        messages: [],
        variables: { question: 'Capital of France?', facts: '{"count":2}' },
      },
      trace: {
        source: 'waggle-experiment',
        sessionId: 's-1',
        metadata: { run_id: 'run-1', dataset_id: 'd1', datapoint_id: 'dp-1' },
      },
    });
  });

  it('answers refusals, throws transient failures and throttling', async () => {
    const refused = withProxy(async () => {
      throw new ProviderCallError('openai refused the request: bad', 'provider_refused');
    });
    expect(await refused.target.call({ run: configurationRun, datapoint, sessionId: 's' })).toEqual({
      outputs: {},
      error: 'openai refused the request: bad',
    });
    const missing = withProxy(async () => {
      throw new ValidationError("Missing variables for the configuration's template: city");
    });
    expect((await missing.target.call({ run: configurationRun, datapoint, sessionId: 's' })).error).toMatch(
      /city/,
    );
    const gone = withProxy(async () => {
      throw new NotFoundError('Unknown model or configuration');
    });
    expect((await gone.target.call({ run: configurationRun, datapoint, sessionId: 's' })).error).toMatch(
      /Unknown/,
    );
    const down = withProxy(async () => {
      throw new ProviderCallError('openai failed (503)', 'provider_unavailable');
    });
    await expect(
      down.target.call({ run: configurationRun, datapoint, sessionId: 's' }),
    ).rejects.toBeInstanceOf(TransientDatapointError);
    const limited = withProxy(async () => {
      throw new RateLimitedError('rate limit', 10);
    });
    await expect(
      limited.target.call({ run: configurationRun, datapoint, sessionId: 's' }),
    ).rejects.toBeInstanceOf(ExperimentThrottledError);
    const bug = withProxy(async () => {
      throw new TypeError('a bug');
    });
    await expect(
      bug.target.call({ run: configurationRun, datapoint, sessionId: 's' }),
    ).rejects.toBeInstanceOf(TypeError);
  });
});

describe('an endpoint target', () => {
  function withFetch(answer: () => Response | Promise<Response>) {
    const requests: { url: string; init: RequestInit }[] = [];
    const target = experimentTarget({
      proxy: { handle: async () => completion('unused') },
      fetch: (async (url: string, init: RequestInit) => {
        requests.push({ url, init });
        return answer();
      }) as typeof fetch,
      endpointHeaders: async () => ({ authorization: 'Bearer secret' }),
    });
    return { target, requests };
  }

  it('POSTs the datapoint with the run headers, and keeps the JSON answer as the outputs', async () => {
    const { target, requests } = withFetch(() => Response.json({ answer: 'Paris', confidence: 0.9 }));
    expect(await target.call({ run: endpointRun, datapoint, sessionId: 's' })).toEqual({
      outputs: { answer: 'Paris', confidence: 0.9 },
    });
    expect(requests[0]?.url).toBe('https://api.example.com/run');
    expect(requests[0]?.init.headers).toEqual({
      authorization: 'Bearer secret',
      'content-type': 'application/json',
    });
    expect(JSON.parse(requests[0]?.init.body as string)).toEqual({
      inputs: datapoint.inputs,
      ground_truth: { answer: 'Paris' },
      history: [],
      datapoint_id: 'dp-1',
      run_id: 'run-1',
    });
    expect(requests[0]?.init.redirect).toBe('manual');
    const text = withFetch(() => new Response('plain words'));
    expect(await text.target.call({ run: endpointRun, datapoint, sessionId: 's' })).toEqual({
      outputs: { content: 'plain words' },
    });
  });

  it('refuses 3xx and 4xx and oversized answers, throws 5xx, unreachable and 429', async () => {
    const call = (answer: () => Response | Promise<Response>) =>
      withFetch(answer).target.call({ run: endpointRun, datapoint, sessionId: 's' });
    expect((await call(() => new Response('no', { status: 404 }))).error).toBe('the endpoint answered 404');
    expect(
      (
        await call(
          () => new Response(null, { status: 302, headers: { location: 'http://169.254.169.254/' } }),
        )
      ).error,
    ).toBe('the endpoint answered 302');
    expect((await call(() => new Response('x'.repeat(MAX_ENDPOINT_ANSWER_BYTES + 1)))).error).toMatch(
      /larger than/,
    );
    await expect(call(() => new Response('down', { status: 503 }))).rejects.toBeInstanceOf(
      TransientDatapointError,
    );
    await expect(call(() => new Response('slow down', { status: 429 }))).rejects.toBeInstanceOf(
      ExperimentThrottledError,
    );
    await expect(
      call(() => {
        throw new TypeError('connect ECONNREFUSED');
      }),
    ).rejects.toBeInstanceOf(TransientDatapointError);
    const blocked = Object.assign(new Error('provider calls must use https'), {
      name: 'BlockedAddressError',
    });
    expect(
      (
        await call(() => {
          throw blocked;
        })
      ).error,
    ).toMatch(/https/);
  });
});
