/**
 * AWS Lambda entry point of the run-metric function: HoneyHive's `POST /metrics/run_metric`. Stored
 * metrics come from the sync-state table (the DynamoConfigStore the data-plane controller writes),
 * events through the read path, Python metrics run in the evaluator executor and model metrics
 * through an LLM judge as the proxy calls providers (adapters/aws/metric-runs-wiring.ts). Under the
 * standard observability stack (HTTP API requests).
 */
import { callerAuthFromEnvironment } from '../adapters/aws/caller-auth';
import { metricRunsFunction } from '../adapters/aws/metric-runs-wiring';
import { runEventReader } from '../domain/evaluators/definitions/run-metric';
import { ANSWERING_JUDGE_CALLS } from '../domain/evaluators/judge/call-bounds';
import { createRunMetricHandler } from './app';
import { readRunMetricEnvironment } from './environment';

const env = readRunMetricEnvironment();
// Answered within API Gateway's 29 s: a judge makes one attempt, no fallback.
const { runs, logger, count, wrap } = metricRunsFunction(env, ANSWERING_JUDGE_CALLS);

const app = createRunMetricHandler({
  ...callerAuthFromEnvironment(runs.dynamo, env),
  catalog: runs.catalog,
  readEvent: runEventReader(runs.queries, runs.eventStore),
  publish: (records) => runs.publish(records, 'review'),
  code: runs.code,
  judge: runs.judge,
  onRun: ({ status }) => count(status === 'ok' ? 'MetricsScored' : 'MetricsFailed'),
  onError: (error, context) => {
    count('InternalErrors');
    logger.error('run_metric failure', { ...context, error: error as Error });
  },
});

export const handler = wrap('http', async (event: Parameters<typeof app>[0]) => {
  const response = await app(event);
  count('RequestsAnswered');
  return response;
});
