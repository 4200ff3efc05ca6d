/**
 * AWS Lambda entry point of the experiment-steps function, invoked by the experiment state machine
 * (definition.ts) for each step. Runs and datapoints come from the datasets table, configurations
 * from the sync-state table; model calls go through the LLM proxy's service (provider keys opened
 * with KMS, the proxy's rate limits and budgets, the address-checked fetch) and so do endpoint
 * requests (https to public addresses only); the run's metrics run as the evaluation worker runs
 * them (Python in the evaluator executor, judges through the proxy's service); sessions, model events
 * and scores go on the events queue;
 * item lists and batch records live in the items bucket.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMS } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoConfigStore } from '../adapters/aws/dynamo-config-store';
import { DynamoDatasetStore, DynamoRunStore } from '../adapters/aws/dynamo-dataset-store';
import { DynamoProviderKeyStore } from '../adapters/aws/dynamo-provider-key-store';
import { DynamoProxyLimitsStore, DynamoUsageCounters } from '../adapters/aws/dynamo-proxy-guards';
import { kmsSecretSealer } from '../adapters/aws/esdk-secret-sealer';
import { judgeFromEnvironment } from '../adapters/aws/judge-wiring';
import { LambdaCodeRunner } from '../adapters/aws/lambda-code-runner';
import { countScores } from '../adapters/aws/metric-runs-wiring';
import { createObservability } from '../adapters/aws/observability';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { SqsMessageQueue } from '../adapters/aws/sqs-message-queue';
import { createGuardedFetch } from '../adapters/providers/guarded-fetch';
import { createProviderProxy } from '../adapters/providers/provider-proxy';
import { createConfigurationLookup } from '../domain/configurations/lookup';
import { createSyncedEvaluatorCatalog } from '../domain/evaluators/definitions/catalog';
import { QUEUED_JUDGE_CALLS } from '../domain/evaluators/judge/call-bounds';
import { childrenFromCatalog } from '../domain/evaluators/online/evaluate-event';
import { publishScoreUpdates } from '../domain/evaluators/online/score-updates';
import { experimentTarget } from '../domain/experiments/server/datapoint-target';
import { getJson, headersKeyOf } from '../domain/experiments/server/steps';
import { publishRecords } from '../domain/ingest/publish-records';
import { createProviderKeyResolver } from '../domain/providers/resolve';
import { createProxyGuards } from '../domain/proxy/admission';
import { createExperimentSteps, type ExperimentStepInput } from './app';
import { readExperimentStepsEnvironment } from './environment';

const env = readExperimentStepsEnvironment();
const { logger, count, traced, wrap } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));
const sqs = traced(new SQSClient({}));
const s3 = traced(new S3Client({}));
const eventsQueue = new SqsMessageQueue(sqs, env.EVENTS_QUEUE_URL);
const overflow = new S3ObjectStore(s3, env.OVERFLOW_BUCKET);
const items = new S3ObjectStore(s3, env.EXPERIMENT_ITEMS_BUCKET);
const publish = async (records: Parameters<typeof publishRecords>[0], requestId: string) => {
  await publishRecords(records, eventsQueue, overflow, { requestId });
};
const fetch = createGuardedFetch();

const configStore = new DynamoConfigStore(dynamo, env.SYNC_STATE_TABLE_NAME);
const configurations = createConfigurationLookup({ configStore });
const catalog = createSyncedEvaluatorCatalog({ configStore });
const judge = judgeFromEnvironment({
  dynamo,
  env,
  eventsQueue,
  overflowStore: overflow,
  configurations,
  traced,
  credentials: () => sqs.config.credentials(),
  bounds: QUEUED_JUDGE_CALLS,
  hooks: {
    onCall: (call) => count(call.ok ? 'JudgeCallsAnswered' : 'JudgeCallsFailed'),
    onEventLost: (error) => {
      count('JudgeEventsLost');
      logger.error('judge model event not queued', { error: error as Error });
    },
  },
});

const steps = createExperimentSteps({
  runs: new DynamoRunStore(dynamo, env.DATASETS_TABLE_NAME),
  datapoints: new DynamoDatasetStore(dynamo, env.DATASETS_TABLE_NAME),
  items,
  publish,
  metrics: {
    catalog,
    evaluate: {
      code: new LambdaCodeRunner(traced(new LambdaClient({})), env.EVALUATOR_EXECUTOR_FUNCTION_NAME),
      judge,
      child: childrenFromCatalog(catalog),
    },
    saveScores: async (scores) => {
      countScores(count, scores);
      await publishScoreUpdates({ eventsQueue, overflowStore: overflow })(scores);
    },
  },
  target: experimentTarget({
    proxy: createProviderProxy({
      keys: createProviderKeyResolver({
        store: new DynamoProviderKeyStore(dynamo, env.PROVIDER_KEYS_TABLE_NAME),
        sealer: kmsSecretSealer(traced(new KMS({})), env.PROVIDER_SECRETS_KEY_ARN),
      }),
      // Bedrock is signed with this function's role: the same credentials its AWS SDK clients use.
      models: { fetch, bedrockCredentials: () => sqs.config.credentials() },
      publish: (records, requestId) => publish(records, `experiment-${requestId}`),
      guards: createProxyGuards({
        limits: new DynamoProxyLimitsStore(dynamo, env.PROXY_LIMITS_TABLE_NAME),
        counters: new DynamoUsageCounters(dynamo, env.PROXY_LIMITS_TABLE_NAME),
        onCounterFailure: (error, context) => {
          count('CounterFailures');
          logger.error('proxy usage counter not corrected', { ...context, error: error as Error });
        },
      }),
      configurations,
      onCall: (call) => count(call.ok ? 'CallsAnswered' : 'CallsFailed'),
      onEventLost: (error) => {
        count('ModelEventsLost');
        logger.error('model event not queued', { error: error as Error });
      },
    }),
    fetch,
    endpointHeaders: async (run) => (await getJson<Record<string, string>>(items, headersKeyOf(run))) ?? {},
  }),
});

export const handler = wrap('workflow', async (input: ExperimentStepInput) => {
  try {
    const result = await steps(input);
    if (input?.step === 'run') count('BatchesRun');
    return result;
  } catch (error) {
    count('StepsFailed');
    logger.warn('experiment step failed', { step: input?.step, error: error as Error });
    throw error;
  }
});
