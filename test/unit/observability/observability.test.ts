/**
 * The one middy stack every handler runs under (lambdas/adapters/aws/observability.ts), around a fake
 * handler: every log line of an invocation carries the correlation id of its trigger (the API
 * Gateway request id, the SQS message id, the EventBridge event id), which does not outlive the
 * invocation, and the invocation's metrics are flushed as EMF when it ends, failed or not.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { correlationOf, createObservability } from '../../../lambdas/adapters/aws/observability';
import { lambdaContext } from '../../support/lambda-context';

type Line = Record<string, unknown>;

let lines: Line[];

beforeEach(() => {
  lines = [];
  // Powertools Logger and Metrics write one JSON document per line to stdout (as Lambda collects it).
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const text of String(chunk).split('\n'))
      if (text.startsWith('{')) lines.push(JSON.parse(text) as Line);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const ENV = {
  LOG_LEVEL: 'INFO',
  POWERTOOLS_SERVICE_NAME: 'waggle-test',
  POWERTOOLS_METRICS_NAMESPACE: 'WaggleTest',
  NODE_OPTIONS: undefined,
} as const;

const contextOf = (awsRequestId: string) => lambdaContext('waggle-test-function', awsRequestId);

const logsOf = (message: string) => lines.filter((line) => line.message === message);
const metricLines = () => lines.filter((line) => line._aws !== undefined);

/** A handler as the functions write theirs: logs, counts, and for SQS logs a line per record. */
function fakeFunction() {
  const observability = createObservability(ENV);
  const { logger, count, forRecord, wrap } = observability;
  const handle = async (event: { Records?: { messageId: string }[] }) => {
    logger.info('handling');
    count('ThingsDone');
    for (const record of event.Records ?? []) logger.info('record handled', forRecord(record.messageId));
    return { ok: true };
  };
  return {
    observability,
    http: wrap('http', handle),
    sqs: wrap('sqs', handle),
    schedule: wrap('schedule', handle),
  };
}

describe('the observability stack', () => {
  it('correlates an HTTP API request by its API Gateway request id', async () => {
    const { http } = fakeFunction();
    const result = await http(
      { requestContext: { requestId: 'apigw-req-1' } } as never,
      contextOf('lambda-1'),
    );
    expect(result).toEqual({ ok: true });
    const [line] = logsOf('handling');
    expect(line).toMatchObject({
      correlation_id: 'apigw-req-1',
      service: 'waggle-test',
      function_name: 'waggle-test-function',
      function_request_id: 'lambda-1',
      level: 'INFO',
    });
  });

  it('correlates an SQS batch by its first message id with the batch size, and each record line by its own', async () => {
    const { sqs } = fakeFunction();
    await sqs({ Records: [{ messageId: 'msg-1' }, { messageId: 'msg-2' }] } as never, contextOf('lambda-2'));
    expect(logsOf('handling')).toEqual([expect.objectContaining({ correlation_id: 'msg-1', batch_size: 2 })]);
    expect(logsOf('record handled').map((line) => [line.correlation_id, line.messageId])).toEqual([
      ['msg-1', 'msg-1'],
      ['msg-2', 'msg-2'],
    ]);
  });

  it('correlates a scheduled run by its EventBridge event id, else by the Lambda request id', async () => {
    const { schedule } = fakeFunction();
    await schedule({ id: 'eb-event-1', 'detail-type': 'Scheduled Event' } as never, contextOf('lambda-3'));
    await schedule({ kind: 'manual' } as never, contextOf('lambda-4'));
    expect(logsOf('handling').map((line) => line.correlation_id)).toEqual(['eb-event-1', 'lambda-4']);
  });

  it('forgets the correlation id and the batch size when the invocation ends', async () => {
    const { sqs, http, observability } = fakeFunction();
    await sqs({ Records: [{ messageId: 'msg-9' }] } as never, contextOf('lambda-5'));
    observability.logger.info('between invocations');
    await http({ requestContext: { requestId: 'apigw-req-2' } } as never, contextOf('lambda-6'));
    const [between] = logsOf('between invocations');
    expect(between).not.toHaveProperty('correlation_id');
    expect(between).not.toHaveProperty('batch_size');
    expect(logsOf('handling')[1]).toMatchObject({ correlation_id: 'apigw-req-2' });
    expect(logsOf('handling')[1]).not.toHaveProperty('batch_size');
  });

  it('flushes the metrics of each invocation under the namespace and service, with a cold start once', async () => {
    // As Lambda sets it for an on-demand execution environment (Powertools counts cold starts only there).
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    const { http } = fakeFunction();
    await http({ requestContext: { requestId: 'a' } } as never, contextOf('lambda-7'));
    await http({ requestContext: { requestId: 'b' } } as never, contextOf('lambda-8'));
    const metrics = metricLines();
    const done = metrics.filter((line) => line.ThingsDone !== undefined);
    expect(done).toHaveLength(2);
    expect(done[0]).toMatchObject({
      service: 'waggle-test',
      ThingsDone: 1,
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'WaggleTest',
            Dimensions: [['service']],
            Metrics: [{ Name: 'ThingsDone', Unit: 'Count' }],
          },
        ],
      },
    });
    const coldStarts = metrics.filter((line) => line.ColdStart !== undefined);
    expect(coldStarts).toEqual([
      expect.objectContaining({
        ColdStart: 1,
        function_name: 'waggle-test-function',
        service: 'waggle-test',
      }),
    ]);
  });

  it('flushes the metrics of a failed invocation too, and lets the error through', async () => {
    const { observability } = fakeFunction();
    const failing = observability.wrap('schedule', async () => {
      observability.count('Attempts');
      throw new Error('boom');
    });
    await expect(failing({ id: 'eb-2' }, contextOf('lambda-9'))).rejects.toThrow('boom');
    expect(metricLines().filter((line) => line.Attempts === 1)).toHaveLength(1);
  });

  it('answers HTTP through httpHandler, counting RequestsAnswered, and reports internal errors with their context', async () => {
    const { observability } = fakeFunction();
    const logged = vi.spyOn(observability.logger, 'error').mockImplementation(() => {});
    const onError = observability.internalError('thing failure');
    const handler = observability.httpHandler(async (event: { path: string }) => {
      onError(new Error('boom'), { routeKey: `GET ${event.path}`, status: 500 });
      return { statusCode: 500 };
    });
    const result = await handler(
      { path: '/x', requestContext: { requestId: 'apigw-req-3' } } as never,
      contextOf('lambda-10'),
    );
    expect(result).toEqual({ statusCode: 500 });
    expect(logged).toHaveBeenCalledWith('thing failure', {
      routeKey: 'GET /x',
      status: 500,
      error: expect.objectContaining({ message: 'boom' }),
    });
    const counted = metricLines().filter((line) => line.InternalErrors === 1 && line.RequestsAnswered === 1);
    expect(counted).toHaveLength(1);
  });

  it('leaves an AWS SDK client usable when it traces it (outside Lambda, tracing is off)', () => {
    const { observability } = fakeFunction();
    const client = { send: async () => 'sent', middlewareStack: { add: () => undefined } };
    expect(observability.traced(client)).toBe(client);
  });
});

describe('correlationOf', () => {
  it('finds nothing in an event of another shape, so the Lambda request id is used', () => {
    expect(correlationOf('http', {})).toEqual({ id: undefined });
    expect(correlationOf('http', null)).toEqual({ id: undefined });
    expect(correlationOf('sqs', { Records: [] })).toEqual({ id: undefined, keys: { batch_size: 0 } });
    expect(correlationOf('schedule', { id: 42 })).toEqual({ id: undefined });
    expect(correlationOf('workflow', { step: 'finalize' })).toEqual({ id: undefined });
  });

  it("takes a workflow step's run id", () => {
    expect(correlationOf('workflow', { step: 'score', run: { backfill_id: 'bf_1_abcdef' } })).toEqual({
      id: 'bf_1_abcdef',
    });
  });
});
