/** The scheduled reconciliation's environment (lib/control-plane/sync-reconciler.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { SYNC_PUBLISHING_VARIABLES } from '../config/sync-publishing';

export const SYNC_PUBLISHER_ENVIRONMENT = defineFunctionEnvironment('sync-publisher', {
  /** CONTROL_PLANE_TABLE_NAME also holds the data planes' newest heartbeats (their reported state). */
  ...SYNC_PUBLISHING_VARIABLES,
});

export const readSyncPublisherEnvironment = SYNC_PUBLISHER_ENVIRONMENT.read;
export const environmentForSyncPublisher = SYNC_PUBLISHER_ENVIRONMENT.environmentFor;
