/**
 * AWS Lambda entry point of the llm-proxy function, behind a function URL with response streaming
 * (RESPONSE_STREAM): the app writes the answer to Lambda's response stream, so a streamed
 * completion reaches the client chunk by chunk. Wires provider keys (DynamoDB + KMS Decrypt),
 * budgets and rate limits, the response cache, configurations (the sync-state table) and the
 * events queue, and calls providers with the address-checked fetch (no private, loopback,
 * link-local or metadata address, whatever a base_url resolves to).
 */
import type { Writable } from 'node:stream';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMS } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context, StreamifyHandler } from 'aws-lambda';
import { callerAuthFromEnvironment } from '../adapters/aws/caller-auth';
import { DynamoConfigStore } from '../adapters/aws/dynamo-config-store';
import { DynamoProviderKeyStore } from '../adapters/aws/dynamo-provider-key-store';
import { kmsSecretSealer } from '../adapters/aws/esdk-secret-sealer';
import { createObservability } from '../adapters/aws/observability';
import { proxyGuardsFromEnvironment } from '../adapters/aws/proxy-guards-wiring';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { SqsMessageQueue } from '../adapters/aws/sqs-message-queue';
import { createGuardedFetch } from '../adapters/providers/guarded-fetch';
import { createConfigurationLookup } from '../domain/configurations/lookup';
import { publishRecords } from '../domain/ingest/publish-records';
import { createProviderKeyResolver } from '../domain/providers/resolve';
import { createModelFactory } from '../domain/proxy/provider-models';
import { createLlmProxyApp, type ResponseSink } from './app';
import { readLlmProxyEnvironment } from './environment';

const env = readLlmProxyEnvironment();
const { logger, metrics, count, traced, wrap } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));
const sqs = traced(new SQSClient({}));
const overflow = new S3ObjectStore(traced(new S3Client({})), env.OVERFLOW_BUCKET);
const eventsQueue = new SqsMessageQueue(sqs, env.EVENTS_QUEUE_URL);

const proxyGuards = proxyGuardsFromEnvironment(dynamo, env, {
  onCounterFailure: (error, context) => {
    count('CounterFailures');
    logger.error('proxy usage counter not corrected', { ...context, error: error as Error });
  },
  onCacheSkipped: ({ bytes }) => {
    count('CacheSkips');
    logger.debug('answer too large to cache', { bytes });
  },
});

const app = createLlmProxyApp({
  ...callerAuthFromEnvironment(dynamo, env),
  providerKeys: createProviderKeyResolver({
    store: new DynamoProviderKeyStore(dynamo, env.PROVIDER_KEYS_TABLE_NAME),
    sealer: kmsSecretSealer(traced(new KMS({})), env.PROVIDER_SECRETS_KEY_ARN),
  }),
  models: createModelFactory({
    fetch: createGuardedFetch(),
    // Bedrock is signed with this function's role: the same credentials its AWS SDK clients use.
    bedrockCredentials: () => sqs.config.credentials(),
  }),
  configurations: createConfigurationLookup({
    configStore: new DynamoConfigStore(dynamo, env.SYNC_STATE_TABLE_NAME),
  }),
  ...proxyGuards,
  publish: async (records, requestId) => {
    await publishRecords(records, eventsQueue, overflow, { requestId: `proxy-${requestId}` });
  },
  attemptTimeoutMs: env.PROVIDER_TIMEOUT_MS,
  onCall: (call) => {
    count(call.ok ? 'CallsAnswered' : 'CallsFailed');
    if (call.fallbackUsed) count('FallbacksUsed');
    if (call.cacheHit) count('CacheHits');
    if (call.timeToFirstTokenMs !== undefined)
      metrics.addMetric('TimeToFirstToken', MetricUnit.Milliseconds, call.timeToFirstTokenMs);
    logger.info('call answered', { ...call });
  },
  onEventLost: (error) => {
    count('ModelEventsLost');
    logger.error('model event not queued', { error: error as Error });
  },
  onError: (error, context) => {
    count(
      context.status >= 500 && context.status !== 502 && context.status !== 504
        ? 'InternalErrors'
        : 'ProviderFailures',
    );
    // Messages only: provider errors are built without the key (proxy-errors.ts).
    logger.error('llm proxy failure', { ...context, error: (error as Error).message });
  },
});

/** The response stream of the running invocation (one at a time per instance). */
const streams = new WeakMap<APIGatewayProxyEventV2, Writable>();

const observed = wrap('http', async (event: APIGatewayProxyEventV2, _context: Context) => {
  const stream = streams.get(event) as Writable;
  let body: Writable = stream;
  const sink: ResponseSink = {
    start(statusCode, headers) {
      body = (runtime as typeof awslambda).HttpResponseStream.from(stream, { statusCode, headers });
    },
    write(text) {
      if (body.destroyed) throw new Error('the client closed the connection');
      if (body.write(text)) return;
      return new Promise<void>((resolve) => body.once('drain', resolve));
    },
    end: () => new Promise<void>((resolve) => body.end(resolve)),
  };
  await app(event, sink);
});

const streamed: StreamifyHandler<APIGatewayProxyEventV2> = async (event, responseStream, context) => {
  streams.set(event, responseStream);
  await observed(event, context);
};

/**
 * `awslambda.streamifyResponse` exists in the Lambda Node.js runtime only (some libraries leave a
 * bare `awslambda` object elsewhere): outside it (the cold-start benchmark's plain import) the
 * handler is exported unwrapped, so importing the module never throws.
 */
const runtime = (globalThis as { awslambda?: typeof awslambda }).awslambda;
export const handler =
  typeof runtime?.streamifyResponse === 'function' ? runtime.streamifyResponse(streamed) : streamed;
