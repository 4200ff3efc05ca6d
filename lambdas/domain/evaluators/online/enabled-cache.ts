/**
 * A project's enabled evaluators, remembered for a short while: the writer asks for them on every
 * batch, and on AWS each ask is a DynamoDB query of the synced copy. An evaluator enabled, changed
 * or disabled starts to apply to new events at most ttlMs later.
 */
import type { Tenant } from '../../events/event';
import type { EvaluatorCatalog, EvaluatorDefinition } from '../evaluator';

export const ENABLED_EVALUATORS_TTL_MS = 10_000;

export function cacheEnabledEvaluators(
  catalog: Pick<EvaluatorCatalog, 'enabledInProd'>,
  options: { ttlMs?: number; clock?: () => number } = {},
): Pick<EvaluatorCatalog, 'enabledInProd'> {
  const ttlMs = options.ttlMs ?? ENABLED_EVALUATORS_TTL_MS;
  const clock = options.clock ?? Date.now;
  const cached = new Map<string, { at: number; evaluators: Promise<EvaluatorDefinition[]> }>();
  return {
    enabledInProd(tenant: Tenant) {
      const key = tenant.project_id;
      const now = clock();
      const hit = cached.get(key);
      if (hit && now - hit.at < ttlMs) return hit.evaluators;
      const evaluators = catalog.enabledInProd(tenant);
      cached.set(key, { at: now, evaluators });
      // A failed read is not remembered: the next batch asks again.
      evaluators.catch(() => {
        if (cached.get(key)?.evaluators === evaluators) cached.delete(key);
      });
      return evaluators;
    },
  };
}
