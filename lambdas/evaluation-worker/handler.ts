/**
 * AWS Lambda entry point of the evaluation-worker function (SQS event source on the evaluations
 * queue with ReportBatchItemFailures). Evaluators come from the sync-state table (the metrics the
 * control plane synced), events and sessions through the read path, Python metrics run in the
 * evaluator executor, and LLM judges call providers as the LLM proxy does
 * (adapters/aws/metric-runs-wiring.ts). Scores go back to their events as metrics updates on the
 * events queue.
 */
import { countScores, metricRunsFunction } from '../adapters/aws/metric-runs-wiring';
import { QUEUED_JUDGE_CALLS } from '../domain/evaluators/judge/call-bounds';
import { createEvaluationWorkerHandler } from './app';
import { readEvaluationWorkerEnvironment } from './environment';

const env = readEvaluationWorkerEnvironment();
const { runs, logger, count, forRecord, wrap } = metricRunsFunction(env, QUEUED_JUDGE_CALLS);

const app = createEvaluationWorkerHandler({
  catalog: runs.catalog,
  queries: runs.queries,
  code: runs.code,
  judge: runs.judge,
  saveScores: runs.publishScores,
  onErrorScore: (score) =>
    logger.warn('evaluator could not score its event', {
      evaluator_id: score.evaluator_id,
      evaluator_version: score.evaluator_version,
      event_id: score.event_id,
      error: score.error ?? undefined,
    }),
  onScored: (scores) => countScores(count, scores),
  onTaskFailed: ({ messageId, error }) => {
    count('TasksFailed');
    logger.warn('evaluation task failed, to be retried', { ...forRecord(messageId), error: error as Error });
  },
  onTaskSkipped: ({ messageId, reason }) => {
    count('TasksSkipped');
    logger.info('evaluation task skipped', { ...forRecord(messageId), reason });
  },
});

export const handler = wrap('sqs', app);
