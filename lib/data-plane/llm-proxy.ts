import { CfnOutput, Duration } from 'aws-cdk-lib';
import { type FunctionUrl, FunctionUrlAuthType, HttpMethod, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { environmentForLlmProxy } from '../../lambdas/llm-proxy/environment';
import { WaggleFunction } from '../common/waggle-function';
import type { LogLevel } from '../config/deployment-config';
import { type CallerAuthProps, callerAuthEnvironment, grantCallerAuth } from './caller-auth';
import type { SyncController } from './data-plane-controller';
import type { EventsQueue } from './events-queue';
import { grantProviderCalls } from './provider-calls';
import type { ProviderKeyTable } from './provider-keys';
import type { ProxyLimits } from './proxy-limits';
import type { RawArchive } from './raw-archive';

export interface LlmProxyProps extends CallerAuthProps {
  readonly providerKeys: ProviderKeyTable;
  readonly proxyLimits: ProxyLimits;
  readonly eventsQueue: EventsQueue;
  /** Model events too large for a queue message are parked in its overflow/ prefix, as ingest does. */
  readonly rawArchive: RawArchive;
  /** Its sync-state table holds the configurations the proxy routes by name. */
  readonly syncController: SyncController;
  readonly logLevel?: LogLevel;
  /** Browser origins allowed to call the proxy (the console's playground, consoleOrigins). */
  readonly corsOrigins?: readonly string[];
}

/**
 * The LLM proxy: POST /v1/chat/completions (OpenAI-compatible) on a Lambda function URL with
 * response streaming. The data plane's HTTP API (API Gateway v2) cannot stream and cuts requests
 * at 30 s; a function URL in RESPONSE_STREAM mode sends each chunk as it is written and lets a
 * long generation run up to the function's timeout. The URL has no IAM auth: the app authenticates
 * every request with a Waggle API key or token, like the HTTP API's functions.
 */
export class LlmProxy extends Construct {
  readonly proxyFunction: WaggleFunction;
  readonly url: FunctionUrl;

  constructor(scope: Construct, id: string, props: LlmProxyProps) {
    super(scope, id);
    this.proxyFunction = new WaggleFunction(this, 'LlmProxy', {
      entry: 'lambdas/llm-proxy/handler.ts',
      serviceName: 'waggle-llm-proxy',
      description:
        'Waggle LLM proxy: OpenAI-compatible chat completions to the providers, each call a model event',
      memorySize: 512,
      // Streamed generations can be long; each provider attempt waits at most PROVIDER_TIMEOUT_MS.
      timeout: Duration.minutes(5),
      logLevel: props.logLevel,
      environment: environmentForLlmProxy({
        PROVIDER_KEYS_TABLE_NAME: props.providerKeys.table.tableName,
        PROVIDER_SECRETS_KEY_ARN: props.providerKeys.secretsKey.keyArn,
        ...props.proxyLimits.environment(),
        SYNC_STATE_TABLE_NAME: props.syncController.stateTable.tableName,
        EVENTS_QUEUE_URL: props.eventsQueue.queue.queueUrl,
        OVERFLOW_BUCKET: props.rawArchive.bucket.bucketName,
        ...callerAuthEnvironment(props),
        // Under the function's 5 minutes, with room for a fallback after one timed-out attempt.
        PROVIDER_TIMEOUT_MS: 60_000,
      }),
    });
    const role = this.proxyFunction.role;
    grantProviderCalls(role, props);
    props.proxyLimits.grantReadWriteCache(role);
    props.syncController.grantReadSyncedConfig(role);
    grantCallerAuth(role, props);

    this.url = this.proxyFunction.function.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.RESPONSE_STREAM,
      ...((props.corsOrigins ?? []).length > 0 && {
        cors: {
          allowedOrigins: [...(props.corsOrigins ?? [])],
          allowedMethods: [HttpMethod.POST],
          allowedHeaders: [
            'authorization',
            'content-type',
            'x-waggle-project',
            'x-waggle-environment',
            'x-waggle-cache',
          ],
          exposedHeaders: ['retry-after', 'x-waggle-event-id', 'x-waggle-cost-usd', 'x-waggle-cache'],
          maxAge: Duration.hours(1),
        },
      }),
    });
    new CfnOutput(this, 'Url', {
      value: this.url.url,
      description: 'The LLM proxy (OpenAI baseURL: this URL + v1)',
    });
  }
}
