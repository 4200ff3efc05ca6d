/**
 * HoneyHive's `POST /metrics/run_metric` on the data plane: one metric run once on one event, its
 * score answered and nothing stored (lambdas/domain/evaluators/definitions/run-metric.ts). The
 * caller needs a credential that may write the project's data (the `ingest` scope, as metric writes
 * do): a run may call the project's judge model, paid by its provider key, and the judge's call is a
 * model event of the project. Stored metrics come from the synced copy, events through the read path.
 * No AWS imports.
 */

import type { SyncedEvaluatorCatalog } from '../domain/evaluators/definitions/catalog';
import { RUN_METRIC_BODY_LIMITS, runMetric } from '../domain/evaluators/definitions/run-metric';
import type { CodeMetricRunner, JudgeRunner } from '../domain/evaluators/evaluator';
import { type RecordReviewDeps, recordReview } from '../domain/evaluators/review/record-review';
import type { Tenant, WaggleEvent } from '../domain/events/event';
import { createCallerAuthenticator, type DataPlaneCallerDeps } from '../http/data-plane-caller';
import { parseJsonObject } from '../http/json-object-body';
import { jsonResponse } from '../http/json-response';
import { createHttpApi, type HttpApi } from '../http/router';
import { RUN_METRIC_ROUTES } from './routes';

export { RUN_METRIC_ROUTES } from './routes';

export interface RunMetricHandlerDeps extends Omit<DataPlaneCallerDeps, 'clock'> {
  catalog: SyncedEvaluatorCatalog;
  readEvent(tenant: Tenant, eventId: string): Promise<WaggleEvent | undefined>;
  /** A review's metrics update and score record go on the events queue. */
  publish: RecordReviewDeps['publish'];
  code: CodeMetricRunner;
  /** Absent where no judge is wired: model metrics are refused with a 400 saying so. */
  judge?: JudgeRunner;
  clock?: () => number;
  /** After each run: the metric's type and whether it scored, for metrics and logs. */
  onRun?: (run: { projectId: string; type: string; status: 'ok' | 'error' }) => void;
  onError?: (error: unknown, context: { routeKey: string; status: number }) => void;
}

export function createRunMetricHandler(deps: RunMetricHandlerDeps): HttpApi {
  const authenticate = createCallerAuthenticator({ ...deps, clock: deps.clock ?? Date.now });
  return createHttpApi({
    routes: RUN_METRIC_ROUTES.map((routeKey) => ({
      routeKey,
      handler: async (request) => {
        const principal = await authenticate(request.event, 'ingest');
        const tenant: Tenant = {
          org_id: principal.org_id,
          workspace_id: principal.workspace_id,
          project_id: principal.project_id,
        };
        if (routeKey === 'POST /v1/metrics/{metric_id}/reviews') {
          const reviewer =
            principal.via === 'token'
              ? { id: `user:${principal.subject}` }
              : { id: `key:${principal.keyHash.slice(0, 12)}` };
          const score = await recordReview(
            tenant,
            request.params.metric_id ?? '',
            parseJsonObject(request),
            reviewer,
            deps,
          );
          return jsonResponse(200, { score });
        }
        const result = await runMetric(tenant, parseJsonObject(request), deps, request.requestId);
        deps.onRun?.({ projectId: tenant.project_id, type: result.metric.type, status: result.status });
        return jsonResponse(200, result);
      },
    })),
    bodyLimits: RUN_METRIC_BODY_LIMITS,
    onError: deps.onError,
  });
}
