/** The run-metric function's environment (lib/data-plane/run-metric.ts sets it; handler.ts reads it). */
import { CALLER_AUTH_VARIABLES, tokenTrustProblems } from '../config/caller-auth';
import { defineFunctionEnvironment } from '../config/function-environment';
import { METRIC_RUN_VARIABLES } from '../config/metric-runs';

export const RUN_METRIC_ENVIRONMENT = defineFunctionEnvironment(
  'run-metric',
  { ...METRIC_RUN_VARIABLES, ...CALLER_AUTH_VARIABLES },
  { check: tokenTrustProblems },
);

export const readRunMetricEnvironment = RUN_METRIC_ENVIRONMENT.read;
export const environmentForRunMetric = RUN_METRIC_ENVIRONMENT.environmentFor;
