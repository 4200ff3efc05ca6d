/** The backfill-steps function's environment (lib/data-plane/backfills.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { METRIC_RUN_VARIABLES } from '../config/metric-runs';
import { string } from '../config/schema';

export const BACKFILL_STEPS_ENVIRONMENT = defineFunctionEnvironment('backfill-steps', {
  ...METRIC_RUN_VARIABLES,
  /** Where the prepare step writes each run's item list (the map's ItemReader reads it). */
  BACKFILL_ITEMS_BUCKET: string(),
});

export const readBackfillStepsEnvironment = BACKFILL_STEPS_ENVIRONMENT.read;
export const environmentForBackfillSteps = BACKFILL_STEPS_ENVIRONMENT.environmentFor;
