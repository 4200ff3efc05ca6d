/**
 * Backfills on the local platform: the backfills API (lambdas/backfills-api/) over the local
 * backfill runner, whose steps read events through the local read path (DuckDB), run Python in the
 * local sandbox and judges as the local proxy calls providers, and publish scores as metrics updates
 * on the events queue, as on AWS.
 */
import { FileObjectStore } from '../adapters/local/file-object-store';
import { createBackfillSteps } from '../backfill-steps/app';
import { BACKFILLS_ROUTES, createBackfillsHandler } from '../backfills-api/app';
import { createBackfillService } from '../domain/evaluators/backfill/service';
import type { CodeMetricRunner, EvaluatorCatalog, JudgeRunner } from '../domain/evaluators/evaluator';
import { childrenFromCatalog } from '../domain/evaluators/online/evaluate-event';
import { publishScoreUpdates } from '../domain/evaluators/online/score-updates';
import type { MessageQueue, ObjectStore } from '../domain/ports';
import type { EventQueryService } from '../domain/query/types';
import type { DataPlaneCallerDeps } from '../http/data-plane-caller';
import type { HttpApi } from '../http/router';
import { type LocalBackfillRunner, openBackfillRunner } from './backfill-runner';
import type { Logger } from './logger';

export interface BackfillsLocalOptions {
  runsDir: string;
  itemsDir: string;
  callerAuth: Omit<DataPlaneCallerDeps, 'clock'>;
  catalog: EvaluatorCatalog;
  queries: Pick<EventQueryService, 'exportEvents' | 'getEvent'>;
  code: CodeMetricRunner;
  judge: JudgeRunner;
  eventsQueue: MessageQueue;
  overflowStore: ObjectStore;
  logger: Logger;
}

export interface BackfillsLocal {
  routes: readonly string[];
  handler: HttpApi;
  runner: LocalBackfillRunner;
}

export async function startBackfillsLocal(options: BackfillsLocalOptions): Promise<BackfillsLocal> {
  const { logger } = options;
  const items = new FileObjectStore(options.itemsDir);
  const publishScores = publishScoreUpdates({
    eventsQueue: options.eventsQueue,
    overflowStore: options.overflowStore,
  });
  const runner = await openBackfillRunner({
    dir: options.runsDir,
    items,
    steps: createBackfillSteps({
      catalog: options.catalog,
      queries: options.queries,
      evaluate: { code: options.code, judge: options.judge, child: childrenFromCatalog(options.catalog) },
      saveScores: publishScores,
      items,
    }),
    onFinished: (state) =>
      (state.status === 'SUCCEEDED' ? logger.info : logger.warn)(
        `backfills: ${state.backfill_id} ${state.status}`,
        {
          ...(state.totals && { scored: state.totals.scored, errors: state.totals.errors }),
          ...(state.error && { error: state.error }),
        },
      ),
  });
  const handler = createBackfillsHandler({
    ...options.callerAuth,
    backfills: createBackfillService({ catalog: options.catalog, queries: options.queries, runner }),
    onError: (error, context) =>
      logger.error(`backfills: ${context.routeKey} answered ${context.status}`, {
        error: error instanceof Error ? error.message : String(error),
      }),
  });
  return { routes: BACKFILLS_ROUTES, handler, runner };
}
