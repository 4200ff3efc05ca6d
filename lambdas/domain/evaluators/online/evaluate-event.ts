/**
 * One evaluation of one event by one evaluator version, to the score that is stored: what the
 * evaluation worker does per task, and `run_metric` per dry run. Python metrics go to the code
 * runner, judges to the judge runner; a composite is the weighted mean of its children's scores on
 * the same event; human metrics are never run (reviewers score them). The definition's threshold or
 * passWhen decides `passed`. Failures of the evaluator itself (its code, its judge) become error
 * scores; only a failure of the platform (`sandbox-error`) is thrown back, for the queue to retry.
 */
import type { Tenant, WaggleEvent } from '../../events/event';
import type {
  CodeMetricRunner,
  EvaluationInput,
  EvaluationOutcome,
  EvaluatorCatalog,
  EvaluatorDefinition,
  JudgeRunner,
  ScoreRecord,
} from '../evaluator';
import { withPassed } from '../score';

export class RetryableEvaluationError extends Error {
  override readonly name = 'RetryableEvaluationError';
}

export interface EvaluateEventDeps {
  code: CodeMetricRunner;
  /** Absent where no provider layer is wired: model metrics then score a judge-error. */
  judge?: JudgeRunner;
  /** A composite's children, by id or name, in the evaluator's project. */
  child?: (
    parent: EvaluatorDefinition,
    reference: { id?: string; name: string },
  ) => Promise<EvaluatorDefinition | undefined>;
  clock?: () => number;
  newId?: () => string;
}

/** A composite's children from the catalog, in its project: by id when the reference has one, else by name among the enabled. */
export function childrenFromCatalog(
  catalog: Pick<EvaluatorCatalog, 'get' | 'enabledInProd'>,
): EvaluateEventDeps['child'] {
  return (parent, reference) => {
    const project: Tenant = { org_id: '', workspace_id: '', project_id: parent.projectId };
    return reference.id !== undefined
      ? catalog.get(project, reference.id)
      : catalog
          .enabledInProd(project)
          .then((all) => all.find((candidate) => candidate.name === reference.name));
  };
}

/** What an evaluator sees of an event (HoneyHive's code-metric contract). */
export function evaluationInputOf(event: WaggleEvent, groundTruth?: unknown): EvaluationInput {
  return {
    event_id: event.event_id,
    session_id: event.session_id,
    event_type: event.event_type,
    event_name: event.event_name,
    model: event.model,
    provider: event.provider,
    inputs: event.inputs,
    outputs: event.outputs,
    metadata: event.metadata,
    config: event.config,
    feedback: event.feedback,
    metrics: event.metrics,
    user_properties: event.user_properties,
    ...(groundTruth !== undefined && { ground_truth: groundTruth }),
  };
}

/** Composites nest at most this deep (a cycle of children stops here too). */
const MAX_COMPOSITE_DEPTH = 4;

export async function evaluateEvent(
  evaluator: EvaluatorDefinition,
  event: WaggleEvent,
  deps: EvaluateEventDeps,
  options: { source: string; requestId: string; groundTruth?: unknown },
): Promise<ScoreRecord> {
  const input = evaluationInputOf(event, options.groundTruth);
  const evaluation: Evaluation = { event, input, deps, requestId: options.requestId };
  const outcome = withPassed(await outcomeOf(evaluator, evaluation, 0), evaluator);
  if (outcome.status === 'error' && outcome.error.kind === 'sandbox-error')
    throw new RetryableEvaluationError(`${evaluator.name}: ${outcome.error.message}`);
  return scoreRecord(evaluator, event, outcome, options.source, deps);
}

/** One evaluation's event, what its evaluators see of it, their runners and the request: the same for a composite's children. */
interface Evaluation {
  event: WaggleEvent;
  input: EvaluationInput;
  deps: EvaluateEventDeps;
  requestId: string;
}

async function outcomeOf(
  evaluator: EvaluatorDefinition,
  evaluation: Evaluation,
  depth: number,
): Promise<EvaluationOutcome> {
  const { event, input, deps, requestId } = evaluation;
  if (evaluator.needsGroundTruth && input.ground_truth === undefined)
    return failure('missing-ground-truth', 'the metric needs ground truth and the event has none');
  switch (evaluator.type) {
    case 'custom':
      if (!evaluator.codeSnippet) return failure('code-error', 'the metric has no code');
      return deps.code.run({
        projectId: evaluator.projectId,
        code: evaluator.codeSnippet,
        returnType: evaluator.returnType,
        input,
      });
    case 'model':
      if (!deps.judge) return failure('judge-error', 'no LLM provider layer is configured here for judges');
      return deps.judge.run({
        tenant: { org_id: event.org_id, workspace_id: event.workspace_id, project_id: event.project_id },
        evaluator,
        input,
        requestId,
      });
    case 'human':
      return failure('code-error', 'human metrics are scored by reviewers, not run');
    case 'composite':
      return composite(evaluator, evaluation, depth);
  }
}

async function composite(
  evaluator: EvaluatorDefinition,
  evaluation: Evaluation,
  depth: number,
): Promise<EvaluationOutcome> {
  const { deps } = evaluation;
  const started = Date.now();
  const children = evaluator.childMetrics ?? [];
  if (children.length === 0) return failure('code-error', 'the composite has no child metrics');
  if (depth >= MAX_COMPOSITE_DEPTH)
    return failure('code-error', `composites nest more than ${MAX_COMPOSITE_DEPTH} deep (or in a cycle)`);
  if (!deps.child) return failure('code-error', 'child metrics cannot be looked up here');
  let weighted = 0;
  let weights = 0;
  let cost = 0;
  for (const reference of children) {
    const child = await deps.child(evaluator, reference);
    if (!child)
      return failure('code-error', `child metric "${reference.name}" does not exist in the project`);
    const outcome = withPassed(await outcomeOf(child, evaluation, depth + 1), child);
    cost += outcome.costUsd ?? 0;
    if (outcome.status === 'error')
      return {
        ...failure(outcome.error.kind, `child metric "${child.name}": ${outcome.error.message}`),
        costUsd: cost,
      };
    const value = typeof outcome.value === 'boolean' ? Number(outcome.value) : outcome.value;
    if (typeof value !== 'number')
      return failure('invalid-return', `child metric "${child.name}" scores text, which cannot be weighted`);
    weighted += value * reference.weight;
    weights += reference.weight;
  }
  if (!(weights > 0)) return failure('invalid-return', 'the child metrics weigh nothing together');
  const mean = weighted / weights;
  const value = evaluator.returnType === 'boolean' ? mean >= 0.5 : mean;
  return { status: 'ok', value, durationMs: Date.now() - started, ...(cost > 0 && { costUsd: cost }) };
}

function failure(
  kind: Extract<EvaluationOutcome, { status: 'error' }>['error']['kind'],
  message: string,
): EvaluationOutcome {
  return { status: 'error', error: { kind, message }, durationMs: 0 };
}

function scoreRecord(
  evaluator: EvaluatorDefinition,
  event: WaggleEvent,
  outcome: EvaluationOutcome,
  source: string,
  deps: EvaluateEventDeps,
): ScoreRecord {
  const ok = outcome.status === 'ok';
  return {
    org_id: event.org_id,
    workspace_id: event.workspace_id,
    project_id: event.project_id,
    score_id: deps.newId?.() ?? crypto.randomUUID(),
    event_id: event.event_id,
    session_id: event.session_id,
    event_start_time: event.start_time,
    evaluator_id: evaluator.id,
    evaluator_name: evaluator.name,
    evaluator_version: evaluator.version,
    value: ok ? outcome.value : null,
    passed: ok ? (outcome.passed ?? null) : null,
    explanation: ok ? (outcome.explanation ?? null) : null,
    cost: outcome.costUsd ?? null,
    judge_event_id: outcome.judgeEventId ?? null,
    status: outcome.status,
    error: ok ? null : `${outcome.error.kind}: ${outcome.error.message}`,
    source,
    scored_at: (deps.clock ?? Date.now)(),
  };
}
