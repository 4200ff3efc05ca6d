/**
 * Names the two planes agree on for monitor notifications, so neither needs the other's outputs to
 * deploy: the control plane's delivery queue (name, URL, ARN) that monitor evaluators send to, and
 * the fixed role name of each data plane's evaluator that the queue's policy must name.
 */
import type { PlaneLocation } from './deployment-config';
import type { DataPlaneRef } from './sync-names';

export const NOTIFICATION_QUEUE_NAME = 'waggle-notifications';

export function notificationQueueUrl(controlPlane: PlaneLocation, urlSuffix: string): string {
  return `https://sqs.${controlPlane.region}.${urlSuffix}/${controlPlane.account}/${NOTIFICATION_QUEUE_NAME}`;
}

export function notificationQueueArn(controlPlane: PlaneLocation, partition: string): string {
  return `arn:${partition}:sqs:${controlPlane.region}:${controlPlane.account}:${NOTIFICATION_QUEUE_NAME}`;
}

export function monitorEvaluatorRoleName(dataPlane: DataPlaneRef): string {
  return `waggle-mon-${dataPlane.name}-${dataPlane.region}`;
}
