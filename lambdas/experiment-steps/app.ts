/**
 * The experiment workflow's steps function: the state machine (definition.ts) invokes it with
 * `{step: 'prepare' | 'run' | 'finalize', ...}`; each step is domain code
 * (domain/experiments/server/steps.ts). A thrown error fails the state, which Step Functions retries
 * as the definition says. No AWS imports: handler.ts wires it on AWS, the local platform locally.
 */
import type { ExperimentRun } from '../domain/experiments/server/request';
import {
  type ExperimentBatchResult,
  type ExperimentCounts,
  type ExperimentItem,
  type ExperimentStepDeps,
  finalizeExperiment,
  type PreparedExperiment,
  prepareExperiment,
  runExperimentBatch,
} from '../domain/experiments/server/steps';

export type ExperimentStepInput =
  | { step: 'prepare'; run: ExperimentRun }
  | { step: 'run'; run: ExperimentRun; item: ExperimentItem }
  | { step: 'finalize'; run: ExperimentRun; prepared: PreparedExperiment };

export type ExperimentSteps = (
  input: ExperimentStepInput,
) => Promise<PreparedExperiment | ExperimentBatchResult | ExperimentCounts>;

export function createExperimentSteps(deps: ExperimentStepDeps): ExperimentSteps {
  return async (input) => {
    switch (input?.step) {
      case 'prepare':
        return prepareExperiment(input.run, deps);
      case 'run':
        return runExperimentBatch(input.run, input.item, deps);
      case 'finalize':
        return finalizeExperiment(input.run, input.prepared, deps);
      default:
        throw new Error(`unknown experiment step ${JSON.stringify((input as { step?: unknown })?.step)}`);
    }
  };
}
