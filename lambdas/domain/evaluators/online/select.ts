/**
 * Which evaluators score a new event online: those enabled in production whose event type and name
 * selectors and filters match it, each on its sampling percentage (events of experiment runs at
 * 100%). Sampling is a hash of the event id
 * and the evaluator id, not a coin: a rerun, a replay or a second writer picks the same events, and
 * raising the percentage only adds events to those already picked.
 */
import { createHash } from 'node:crypto';
import type { WaggleEvent } from '../../events/event';
import { type EventPredicate, filterPredicate } from '../../query/match-filters';
import type { EvaluatorDefinition } from '../evaluator';
import { JUDGE_EVENT_SOURCE } from '../judge/judge-runner';

/** Where in [0, 100) the pair falls; an evaluator with percentage p takes the pairs below p. */
export function samplePoint(eventId: string, evaluatorId: string): number {
  const hash = createHash('sha256').update(eventId).update('\u0000').update(evaluatorId).digest();
  return (hash.readUInt32BE(0) / 2 ** 32) * 100;
}

export function isSampled(eventId: string, evaluatorId: string, percentage: number): boolean {
  if (percentage >= 100) return true;
  if (!(percentage > 0)) return false;
  return samplePoint(eventId, evaluatorId) < percentage;
}

/**
 * An event of an experiment run (its metadata names the run: HoneyHive's evaluate(), ours and
 * server-side experiments set `run_id`): evaluators score every one of them, whatever their sampling
 * percentage, or the run's results would miss datapoints.
 */
export function isExperimentEvent(event: Pick<WaggleEvent, 'metadata'>): boolean {
  const runId = event.metadata?.run_id;
  return typeof runId === 'string' && runId !== '';
}

/**
 * A server-side experiment scores its own metrics on each session it builds, and names them in the
 * session's metadata (`waggle_run_metrics`): online evaluation leaves those to it.
 */
export const RUN_METRICS_KEY = 'waggle_run_metrics';

function scoredByItsRun(event: Pick<WaggleEvent, 'metadata'>, evaluatorId: string): boolean {
  const scored = event.metadata?.[RUN_METRICS_KEY];
  return isExperimentEvent(event) && Array.isArray(scored) && scored.includes(evaluatorId);
}

const MAX_CACHED_PREDICATES = 1_000;

export interface SkippedEvaluator {
  evaluator: EvaluatorDefinition;
  /** Why it cannot run online at all (a filter the grammar refuses); the event is not at fault. */
  reason: string;
}

/**
 * Selects evaluators for events, keeping one compiled predicate per evaluator version. Human
 * evaluators are never run online (reviewers score them), and those that need ground truth only run
 * on events that carry it (dataset runs).
 */
export class OnlineSelector {
  private readonly predicates = new Map<string, EventPredicate | Error>();

  select(
    event: WaggleEvent & { ground_truth?: unknown },
    evaluators: readonly EvaluatorDefinition[],
    session?: WaggleEvent,
    onSkipped?: (skipped: SkippedEvaluator) => void,
  ): EvaluatorDefinition[] {
    return evaluators.filter((evaluator) => {
      if (!evaluator.enabledInProd || evaluator.type === 'human') return false;
      // A judge's own call is traced as a model event: scoring it would call the judge again.
      if (event.source === JUDGE_EVENT_SOURCE) return false;
      if (evaluator.projectId !== event.project_id) return false;
      if (evaluator.eventType !== undefined && evaluator.eventType !== event.event_type) return false;
      if (evaluator.eventName !== undefined && evaluator.eventName !== event.event_name) return false;
      if (evaluator.needsGroundTruth && event.ground_truth === undefined) return false;
      if (scoredByItsRun(event, evaluator.id)) return false;
      const predicate = this.predicateOf(evaluator);
      if (predicate instanceof Error) {
        onSkipped?.({ evaluator, reason: predicate.message });
        return false;
      }
      return (
        predicate(event, session) &&
        (isExperimentEvent(event) || isSampled(event.event_id, evaluator.id, evaluator.samplingPercentage))
      );
    });
  }

  private predicateOf(evaluator: EvaluatorDefinition): EventPredicate | Error {
    const key = `${evaluator.id}\u0000${evaluator.version}`;
    let predicate = this.predicates.get(key);
    if (predicate === undefined) {
      try {
        predicate = filterPredicate(evaluator.filters);
      } catch (error) {
        predicate = error instanceof Error ? error : new Error(String(error));
      }
      // Versions of evaluators are few; a long-lived process that saw many edits starts over.
      if (this.predicates.size >= MAX_CACHED_PREDICATES) this.predicates.clear();
      this.predicates.set(key, predicate);
    }
    return predicate;
  }
}
