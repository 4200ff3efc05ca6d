/**
 * The backfill workflow's steps function: the state machine (definition.ts) invokes it with
 * `{step: 'prepare' | 'score' | 'finalize', ...}`; each step is domain code
 * (domain/evaluators/backfill/steps.ts). A thrown error fails the state, which Step Functions
 * retries as the definition says. No AWS imports: steps-handler.ts wires it on AWS, the local
 * backfill runner locally.
 */
import type { BackfillRun } from '../domain/evaluators/backfill/request';
import {
  type BackfillItem,
  type BackfillTotals,
  type BatchResult,
  finalizeBackfill,
  type PrepareDeps,
  type PreparedBackfill,
  prepareBackfill,
  type ScoreBatchDeps,
  scoreBackfillBatch,
} from '../domain/evaluators/backfill/steps';

export type BackfillStepInput =
  | { step: 'prepare'; run: BackfillRun }
  | { step: 'score'; run: BackfillRun; item: BackfillItem }
  | { step: 'finalize'; prepared: PreparedBackfill; results: unknown[] };

export type BackfillStepsDeps = PrepareDeps & ScoreBatchDeps;

export type BackfillSteps = (
  input: BackfillStepInput,
) => Promise<PreparedBackfill | BatchResult | BackfillTotals>;

export function createBackfillSteps(deps: BackfillStepsDeps): BackfillSteps {
  return async (input) => {
    switch (input?.step) {
      case 'prepare':
        return prepareBackfill(input.run, deps);
      case 'score':
        return scoreBackfillBatch(input.run, input.item, deps);
      case 'finalize':
        return finalizeBackfill(input.prepared, Array.isArray(input.results) ? input.results : []);
      default:
        throw new Error(`unknown backfill step ${JSON.stringify((input as { step?: unknown })?.step)}`);
    }
  };
}
