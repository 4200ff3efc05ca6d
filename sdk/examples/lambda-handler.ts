/**
 * An AWS Lambda handler traced with a WaggleTracer. `tracer.wrapLambda` flushes the invocation's
 * spans before the handler's promise settles (the sandbox can be frozen right after), spending at
 * most `lambdaFlushBudgetMs`. In Lambda the tracer reads WAGGLE_API_KEY / WAGGLE_SERVER_URL /
 * WAGGLE_PROJECT from the function's environment; `main` invokes the handler locally with a fake
 * event and context against the in-process local platform: `npx tsx sdk/examples/lambda-handler.ts`.
 */

import { enrichSpan, WaggleTracer } from '@waggle/sdk';
import type { Context } from 'aws-lambda';
import { type ExportedEvent, openBackend, runIfMain } from './waggle-backend';

/** The parts of an API Gateway (HTTP API) event this handler reads. */
export interface OrderStatusEvent {
  body?: string | null;
  requestContext?: { requestId?: string };
}

export interface OrderStatusResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const ORDERS: Record<string, { status: string; eta: string }> = {
  'A-1001': { status: 'shipped', eta: 'tomorrow' },
  'A-1002': { status: 'packing', eta: 'in 3 days' },
};

export function makeHandler(tracer: WaggleTracer) {
  const lookupOrder = tracer.trace(
    async function lookupOrder(orderId: string) {
      return ORDERS[orderId] ?? null;
    },
    { eventType: 'tool' },
  );
  // Stands in for a model call; the usage is reported through enrichment like a real client's.
  const draftReply = tracer.trace(
    async function draftReply(orderId: string, order: { status: string; eta: string } | null) {
      enrichSpan({
        config: { model: 'gpt-4o-mini', provider: 'openai' },
        metadata: { prompt_tokens: 35, completion_tokens: 12 },
      });
      return order ? `Order ${orderId} is ${order.status}, arriving ${order.eta}.` : `No order ${orderId}.`;
    },
    { eventType: 'model' },
  );
  const handleOrderStatus = tracer.trace(
    async function handleOrderStatus(orderId: string) {
      return draftReply(orderId, await lookupOrder(orderId));
    },
    { eventType: 'chain' },
  );

  return tracer.wrapLambda(async (event: OrderStatusEvent, context: Context): Promise<OrderStatusResult> => {
    // One Waggle session per invocation, named after the request so it is easy to find.
    const sessionId = await tracer.startSession({
      sessionName: 'order-status',
      metadata: { aws_request_id: context.awsRequestId, function: context.functionName },
    });
    let orderId = '';
    try {
      orderId = String((JSON.parse(event.body ?? '{}') as { orderId?: unknown }).orderId ?? '');
    } catch {
      return reply(400, { error: 'body must be JSON' }, sessionId);
    }
    if (!orderId) return reply(400, { error: 'orderId is required' }, sessionId);
    return reply(200, { answer: await handleOrderStatus(orderId) }, sessionId);
  });
}

function reply(
  statusCode: number,
  body: Record<string, unknown>,
  sessionId: string | undefined,
): OrderStatusResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...(sessionId ? { 'x-waggle-session': sessionId } : {}) },
    body: JSON.stringify(body),
  };
}

// In Lambda the tracer is built once per container, at the first invocation, from the environment.
let coldStart: ReturnType<typeof makeHandler> | undefined;
export const handler = (event: OrderStatusEvent, context: Context): Promise<OrderStatusResult> => {
  coldStart ??= makeHandler(new WaggleTracer({ profile: 'serverless', source: 'lambda' }));
  return coldStart(event, context);
};

export function fakeContext(requestId: string): Context {
  const deadline = Date.now() + 10_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'order-status',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:order-status',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/order-status',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export interface LambdaDemoResult {
  response: OrderStatusResult;
  sessionId: string;
  events: ExportedEvent[];
}

export async function main(log: (line: string) => void = console.log): Promise<LambdaDemoResult> {
  const backend = await openBackend();
  const tracer = new WaggleTracer({
    apiKey: backend.apiKey,
    serverUrl: backend.serverUrl,
    project: process.env.WAGGLE_PROJECT || 'default',
    source: 'example-lambda',
    profile: 'serverless',
  });
  try {
    const invoke = makeHandler(tracer);
    const response = await invoke(
      { body: JSON.stringify({ orderId: 'A-1001' }), requestContext: { requestId: 'req-1' } },
      fakeContext('req-1'),
    );
    const sessionId = response.headers['x-waggle-session'];
    if (sessionId === undefined) throw new Error('no session: is the tracer disabled?');
    // No tracer.flush() here: the wrapper already flushed before the invocation returned.
    const events = await backend.waitForEvents(sessionId, (found) => found.length >= 4);
    log(`${response.statusCode} ${response.body}`);
    log(`session ${sessionId}: ${events.map((e) => `${e.event_type}:${e.event_name}`).join(', ')}`);
    return { response, sessionId, events };
  } finally {
    await tracer.shutdown(5_000);
    await backend.close();
  }
}

runIfMain(import.meta.url, main);
