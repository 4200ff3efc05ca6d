/** The scheduled reconciliation's environment (lib/control-plane/sync-reconciler.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { SYNC_PUBLISHING_VARIABLES } from '../config/sync-publishing';

export const SYNC_RECONCILER_ENVIRONMENT = defineFunctionEnvironment('sync-reconciler', {
  /** CONTROL_PLANE_TABLE_NAME also holds the data planes' newest heartbeats (their reported state). */
  ...SYNC_PUBLISHING_VARIABLES,
});

export const readSyncReconcilerEnvironment = SYNC_RECONCILER_ENVIRONMENT.read;
export const environmentForSyncReconciler = SYNC_RECONCILER_ENVIRONMENT.environmentFor;
