/**
 * Backfills as the API offers them: an estimate, then a start that is refused over its caps, then
 * its state and a redrive. The evaluator is read from the synced catalog (its latest version, which
 * the run then pins); the count comes from the read path.
 */
import { randomBytes } from 'node:crypto';
import { NotFoundError, ValidationError } from '../../errors';
import type { Tenant } from '../../events/event';
import type { EventQueryService } from '../../query/types';
import type { EvaluatorCatalog, EvaluatorDefinition } from '../evaluator';
import { type BackfillEstimate, capError, estimateBackfill } from './estimate';
import {
  type BackfillRequest,
  backfillFilters,
  backfillRun,
  checkBackfillable,
  parseBackfillRequest,
} from './request';
import { type BackfillRunner, type BackfillState, isBackfillId, newBackfillId } from './runs';

export interface BackfillServiceDeps {
  catalog: Pick<EvaluatorCatalog, 'get'>;
  queries: Pick<EventQueryService, 'exportEvents'>;
  runner: BackfillRunner;
  clock?: () => number;
  random?: () => string;
}

export interface StartedBackfill {
  backfill_id: string;
  evaluator_version: number;
  estimate: BackfillEstimate;
}

export function createBackfillService(deps: BackfillServiceDeps) {
  const clock = deps.clock ?? Date.now;
  const random = deps.random ?? (() => randomBytes(9).toString('base64url').replace(/[-_]/g, 'x'));

  async function evaluatorOf(tenant: Tenant, request: BackfillRequest): Promise<EvaluatorDefinition> {
    const evaluator = await deps.catalog.get(tenant, request.metricId);
    if (!evaluator) throw new NotFoundError(`no metric ${request.metricId} in this project`);
    checkBackfillable(evaluator);
    return evaluator;
  }

  async function estimate(tenant: Tenant, request: BackfillRequest, evaluator: EvaluatorDefinition) {
    const { from, to } = request;
    const counted = await deps.queries.exportEvents(tenant, {
      filters: backfillFilters(evaluator, request.filters),
      dateRange: { from, to },
      projections: ['event_id'],
      limit: 1,
      page: 1,
    });
    return estimateBackfill(evaluator, request, counted.totalEvents);
  }

  return {
    async estimate(tenant: Tenant, body: unknown): Promise<BackfillEstimate> {
      const request = parseBackfillRequest(body);
      return estimate(tenant, request, await evaluatorOf(tenant, request));
    },

    async start(tenant: Tenant, body: unknown): Promise<StartedBackfill> {
      const request = parseBackfillRequest(body);
      const evaluator = await evaluatorOf(tenant, request);
      const estimated = await estimate(tenant, request, evaluator);
      if (!estimated.within_caps) throw capError(estimated);
      const now = clock();
      const run = backfillRun(tenant, evaluator, request, { backfillId: newBackfillId(now, random), now });
      await deps.runner.start(run);
      return { backfill_id: run.backfill_id, evaluator_version: evaluator.version, estimate: estimated };
    },

    async describe(tenant: Tenant, backfillId: string): Promise<BackfillState> {
      const state = isBackfillId(backfillId) ? await deps.runner.describe(tenant, backfillId) : undefined;
      if (!state) throw new NotFoundError(`no backfill ${backfillId.slice(0, 80)} in this project`);
      return state;
    },

    async redrive(tenant: Tenant, backfillId: string): Promise<BackfillState> {
      if (!isBackfillId(backfillId)) throw new ValidationError('not a backfill id');
      await this.describe(tenant, backfillId);
      await deps.runner.redrive(tenant, backfillId);
      return this.describe(tenant, backfillId);
    },
  };
}

export type BackfillService = ReturnType<typeof createBackfillService>;
