/** One evaluator definition for evaluator tests: every field filled, so a test names only what it is about. */
import type { EvaluatorDefinition } from '../../lambdas/domain/evaluators/evaluator';

/** The tenant of the evaluator tests: its project is the definition's default projectId. */
export const EVALUATOR_TENANT = { org_id: 'o', workspace_id: 'w', project_id: 'p1' };

export function evaluatorDefinition(overrides: Partial<EvaluatorDefinition> = {}): EvaluatorDefinition {
  return {
    id: 'ev-1',
    projectId: 'p1',
    name: 'metric',
    version: 1,
    type: 'custom',
    description: '',
    returnType: 'float',
    needsGroundTruth: false,
    enabledInProd: true,
    samplingPercentage: 100,
    filters: [],
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}
