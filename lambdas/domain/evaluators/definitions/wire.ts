/**
 * HoneyHive's wire shape of a metric, as the `honeyhive` 1.0.42 client validates it (its Metric
 * schema: `_id`, `task` (the project's name), `type` custom | model | human | composite,
 * `description`, `return_type`, `code_snippet`, `prompt`, `pass_when`...), with what the newer API
 * reference adds beside them (`id`, `criteria`, `sampling_percentage`, `filters: { filterArray }`,
 * `created_at`, `updated_at`) and Waggle's `version`; the client's schemas drop keys they do not
 * know. Absent fields are left out rather than null, which the 1.0.42 schemas refuse.
 */
import type { EvaluatorDefinition } from '../evaluator';

export function metricWire(definition: EvaluatorDefinition, projectName: string) {
  const criteria = definition.criteria ?? definition.codeSnippet ?? definition.prompt;
  return {
    _id: definition.id,
    id: definition.id,
    task: projectName,
    project_id: definition.projectId,
    name: definition.name,
    type: definition.type,
    description: definition.description,
    ...(criteria !== undefined && criteria !== '' && { criteria }),
    ...(definition.codeSnippet !== undefined && { code_snippet: definition.codeSnippet }),
    ...(definition.prompt !== undefined && { prompt: definition.prompt }),
    return_type: definition.returnType,
    enabled_in_prod: definition.enabledInProd,
    needs_ground_truth: definition.needsGroundTruth,
    sampling_percentage: definition.samplingPercentage,
    ...(definition.threshold !== undefined && { threshold: { ...definition.threshold } }),
    ...(definition.passWhen !== undefined && { pass_when: definition.passWhen }),
    ...(definition.eventType !== undefined && { event_type: definition.eventType }),
    ...(definition.eventName !== undefined && { event_name: definition.eventName }),
    ...(definition.modelProvider !== undefined && { model_provider: definition.modelProvider }),
    ...(definition.modelName !== undefined && { model_name: definition.modelName }),
    ...(definition.judgeBudgetUsdPerDay !== undefined && {
      judge_budget_usd_per_day: definition.judgeBudgetUsdPerDay,
    }),
    ...(definition.childMetrics !== undefined && {
      child_metrics: definition.childMetrics.map((child) => ({ ...child })),
    }),
    filters: { filterArray: definition.filters.map((filter) => ({ ...filter })) },
    version: definition.version,
    created_at: new Date(definition.createdAt).toISOString(),
    updated_at: new Date(definition.updatedAt).toISOString(),
  };
}
