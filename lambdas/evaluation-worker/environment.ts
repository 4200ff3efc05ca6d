/** The evaluation-worker function's environment (lib/data-plane/evaluation-worker.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { METRIC_RUN_VARIABLES } from '../config/metric-runs';

export const EVALUATION_WORKER_ENVIRONMENT = defineFunctionEnvironment(
  'evaluation-worker',
  METRIC_RUN_VARIABLES,
);

export const readEvaluationWorkerEnvironment = EVALUATION_WORKER_ENVIRONMENT.read;
export const environmentForEvaluationWorker = EVALUATION_WORKER_ENVIRONMENT.environmentFor;
