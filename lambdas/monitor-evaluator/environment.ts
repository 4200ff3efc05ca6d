/** The monitor evaluator's environment (lib/data-plane/monitor-evaluator.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { string, url } from '../config/schema';

export const MONITOR_EVALUATOR_ENVIRONMENT = defineFunctionEnvironment('monitor-evaluator', {
  /** The sync-state table: the synced monitors (`alert` entries) and project names. */
  SYNC_STATE_TABLE_NAME: string(),
  /** The rollups' Glue table (minute_rollups) is read through this workgroup and database. */
  ATHENA_WORKGROUP: string(),
  GLUE_DATABASE: string(),
  /** Monitor states and history (adapters/aws/dynamo-monitor-status-store.ts). */
  MONITOR_STATUS_TABLE_NAME: string(),
  /** The control plane's delivery queue (its account and region), where notifications are queued. */
  NOTIFICATION_QUEUE_URL: url(),
  NOTIFICATION_QUEUE_REGION: string('eu-west-1'),
});

export const readMonitorEvaluatorEnvironment = MONITOR_EVALUATOR_ENVIRONMENT.read;
export const environmentForMonitorEvaluator = MONITOR_EVALUATOR_ENVIRONMENT.environmentFor;
