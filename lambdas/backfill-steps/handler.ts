/**
 * AWS Lambda entry point of the backfill-steps function, invoked by the backfill state machine
 * (definition.ts) for each step. Evaluators come from the sync-state table, events through the read
 * path, Python runs in the evaluator executor and judges call providers as the evaluation worker's
 * do (adapters/aws/metric-runs-wiring.ts, with the worker's judge bounds: a step may take minutes);
 * scores go back to their events as metrics updates on the events queue; item lists go to the
 * items bucket.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { countScores, metricRunsFunction } from '../adapters/aws/metric-runs-wiring';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { QUEUED_JUDGE_CALLS } from '../domain/evaluators/judge/call-bounds';
import { childrenFromCatalog } from '../domain/evaluators/online/evaluate-event';
import { type BackfillStepInput, createBackfillSteps } from './app';
import { readBackfillStepsEnvironment } from './environment';

const env = readBackfillStepsEnvironment();
const { runs, logger, count, traced, wrap } = metricRunsFunction(env, QUEUED_JUDGE_CALLS);

const steps = createBackfillSteps({
  catalog: runs.catalog,
  queries: runs.queries,
  evaluate: { code: runs.code, judge: runs.judge, child: childrenFromCatalog(runs.catalog) },
  saveScores: async (scores) => {
    countScores(count, scores);
    await runs.publishScores(scores);
  },
  items: new S3ObjectStore(traced(new S3Client({})), env.BACKFILL_ITEMS_BUCKET),
});

export const handler = wrap('workflow', async (input: BackfillStepInput) => {
  try {
    return await steps(input);
  } catch (error) {
    count('StepsFailed');
    logger.warn('backfill step failed', { step: input?.step, error: error as Error });
    throw error;
  }
});
