/**
 * Logs, metrics and traces of every Lambda function, set up one way: Powertools Logger, Metrics and
 * Tracer named from the function's validated environment (POWERTOOLS_SERVICE_NAME,
 * POWERTOOLS_METRICS_NAMESPACE, LOG_LEVEL), and one middy stack around the handler:
 *
 * - captureLambdaHandler: a `## handler` subsegment with the cold-start and service annotations
 *   (not the response: API answers and batch results stay out of X-Ray);
 * - injectLambdaContext: the Lambda context in every log line, and a `correlation_id` by trigger:
 *   the API Gateway request id (HTTP API), the first SQS message id with `batch_size` (SQS; a line
 *   about one record carries that record's id through `forRecord`), the EventBridge event id
 *   (schedules), else the Lambda request id; reset after each invocation;
 * - logMetrics: the metrics of the invocation flushed (EMF) when it ends, failed or not, with a
 *   ColdStart metric on a cold start.
 *
 * `traced(client)` gives an AWS SDK v3 client X-Ray subsegments for its calls.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { FunctionBaseValues } from '../../config/function-environment';

/**
 * What invokes the function: an HTTP API (payload 2.0), an SQS event source, an EventBridge rule, or
 * a Step Functions workflow (its input names the run: `run.backfill_id`).
 */
type Trigger = 'http' | 'sqs' | 'schedule' | 'workflow';

export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
  /** The same client, its calls recorded as X-Ray subsegments. */
  traced<Client>(client: Client): Client;
  /** Adds `value` (default 1) to a Count metric of this invocation. */
  count(name: string, value?: number): void;
  /** Keys of a log line about one SQS record: that record's message id as its correlation id. */
  forRecord(messageId: string): { correlation_id: string; messageId: string };
  /** The handler under the standard middy stack, correlating its log lines as `trigger` says. */
  wrap<Event, Result>(
    trigger: Trigger,
    handler: (event: Event, context: Context) => Promise<Result>,
  ): MiddyfiedHandler<Event, Result>;
  /** An HTTP app's onError: counts InternalErrors and logs `message` with the request's context and the error. */
  internalError(message: string): (error: unknown, context: object) => void;
  /** An HTTP app as the function's handler (wrapped for 'http'), each answer counted as RequestsAnswered. */
  httpHandler<Event, Result>(app: (event: Event) => Promise<Result>): MiddyfiedHandler<Event, Result>;
}

export function createObservability(env: FunctionBaseValues): Observability {
  const serviceName = env.POWERTOOLS_SERVICE_NAME;
  const logger = new Logger({ serviceName, logLevel: env.LOG_LEVEL });
  const metrics = new Metrics({ serviceName, namespace: env.POWERTOOLS_METRICS_NAMESPACE, logger });
  const tracer = new Tracer({ serviceName });
  const count: Observability['count'] = (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value);
  const wrap: Observability['wrap'] = (trigger, handler) =>
    middy(handler)
      .use(captureLambdaHandler(tracer, { captureResponse: false }))
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(correlate(logger, trigger))
      .use(logMetrics(metrics, { captureColdStartMetric: true }));
  return {
    logger,
    metrics,
    tracer,
    traced: (client) => tracer.captureAWSv3Client(client),
    count,
    forRecord: (messageId) => ({ correlation_id: messageId, messageId }),
    wrap,
    internalError: (message) => (error, context) => {
      count('InternalErrors');
      logger.error(message, { ...context, error: error as Error });
    },
    httpHandler: (app) =>
      wrap('http', async (event) => {
        const response = await app(event);
        count('RequestsAnswered');
        return response;
      }),
  };
}

/** Sets the invocation's correlation id (after injectLambdaContext, which resets it afterwards). */
function correlate(logger: Logger, trigger: Trigger): MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    before: (request) => {
      const { id, keys } = correlationOf(trigger, request.event);
      logger.setCorrelationId(id ?? request.context.awsRequestId);
      if (keys) logger.appendKeys(keys);
    },
  };
}

/** The correlation id an event carries for its trigger, and keys that go with it. */
export function correlationOf(
  trigger: Trigger,
  event: unknown,
): { id: string | undefined; keys?: Record<string, number> } {
  const fields = (event ?? {}) as {
    requestContext?: { requestId?: unknown };
    Records?: { messageId?: unknown }[];
    id?: unknown;
    run?: { backfill_id?: unknown };
  };
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  switch (trigger) {
    case 'http':
      return { id: text(fields.requestContext?.requestId) };
    case 'sqs': {
      const records = Array.isArray(fields.Records) ? fields.Records : [];
      return { id: text(records[0]?.messageId), keys: { batch_size: records.length } };
    }
    case 'schedule':
      return { id: text(fields.id) };
    case 'workflow':
      return { id: text(fields.run?.backfill_id) };
  }
}
