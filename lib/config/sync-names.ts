/**
 * Names both planes derive from the deployment config alone, so that neither stack needs a
 * reference to the other (they live in different accounts): the data plane's inbox queue and its
 * key alias, and the control-plane roles that may send to it.
 */
import type { TokenTrustInput } from '../../lambdas/config/caller-auth';
import type { ControlPlaneConfig, DataPlaneConfig, PlaneLocation } from './deployment-config';

/** What the names depend on: a data plane's id, account and region. */
export type DataPlaneRef = Pick<DataPlaneConfig, 'name' | 'account' | 'region'>;

/** The data plane id in sync messages and token audiences is its name from the config. */
export function dataPlaneId(dataPlane: DataPlaneRef): string {
  return dataPlane.name;
}

/** A FIFO queue (the name must end in .fifo): one message group per data plane keeps the apply serial. */
export function inboxQueueName(dataPlane: DataPlaneRef): string {
  return `waggle-${dataPlane.name}-inbox.fifo`;
}

/** The inbox's dead-letter queue; a FIFO queue's dead-letter queue must be FIFO too. */
export function inboxDeadLetterQueueName(dataPlane: DataPlaneRef): string {
  return `waggle-${dataPlane.name}-inbox-dlq.fifo`;
}

/**
 * ARNs and URLs take the partition (aws, aws-cn, aws-us-gov) and the endpoint suffix (amazonaws.com,
 * amazonaws.com.cn) of the stack that uses them (lib/common/partition.ts): never a literal `aws`.
 */
export function inboxQueueArn(dataPlane: DataPlaneRef, partition: string): string {
  return `arn:${partition}:sqs:${dataPlane.region}:${dataPlane.account}:${inboxQueueName(dataPlane)}`;
}

export function inboxQueueUrl(dataPlane: DataPlaneRef, urlSuffix: string): string {
  return `https://sqs.${dataPlane.region}.${urlSuffix}/${dataPlane.account}/${inboxQueueName(dataPlane)}`;
}

/** The alias of the inbox queue's KMS key; the control plane's senders are limited to keys with it. */
export function inboxKeyAlias(dataPlane: DataPlaneRef): string {
  return `alias/waggle-${dataPlane.name}-inbox`;
}

/**
 * The two control-plane roles that publish to inboxes: the API (changes as they happen) and the
 * scheduled reconciliation. Role names are global in an account, so they carry the region.
 */
export function controlPlaneSyncRoleNames(controlPlane: PlaneLocation): { api: string; reconciler: string } {
  return {
    api: `waggle-cp-api-${controlPlane.region}`,
    reconciler: `waggle-cp-sync-${controlPlane.region}`,
  };
}

export function controlPlaneSyncRoleArns(
  controlPlane: ControlPlaneConfig | PlaneLocation,
  partition: string,
): string[] {
  const names = controlPlaneSyncRoleNames(controlPlane);
  return [names.api, names.reconciler].map(
    (name) => `arn:${partition}:iam::${controlPlane.account}:role/${name}`,
  );
}

export function controlPlaneJwksUrl(controlPlane: ControlPlaneConfig): string {
  return `${controlPlane.url}/.well-known/jwks.json`;
}

/** Environment for data-plane functions that accept control-plane tokens (lambdas/adapters/aws/control-plane-token-trust.ts). */
export function controlPlaneTokenTrust(
  controlPlane: ControlPlaneConfig,
  dataPlane: DataPlaneRef,
): TokenTrustInput {
  return {
    CONTROL_PLANE_ISSUER: controlPlane.url,
    CONTROL_PLANE_JWKS_URL: controlPlaneJwksUrl(controlPlane),
    DATA_PLANE_ID: dataPlaneId(dataPlane),
  };
}

/**
 * The control plane's heartbeat queue for one data plane (in the control plane's account and
 * region): one queue per data plane, so that the queue a report arrives on says who sent it.
 */
export function heartbeatQueueName(dataPlane: DataPlaneRef): string {
  return `waggle-${dataPlane.name}-heartbeats`;
}

export function heartbeatQueueUrl(
  controlPlane: PlaneLocation,
  dataPlane: DataPlaneRef,
  urlSuffix: string,
): string {
  return `https://sqs.${controlPlane.region}.${urlSuffix}/${controlPlane.account}/${heartbeatQueueName(dataPlane)}`;
}

export function heartbeatQueueArn(
  controlPlane: PlaneLocation,
  dataPlane: DataPlaneRef,
  partition: string,
): string {
  return `arn:${partition}:sqs:${controlPlane.region}:${controlPlane.account}:${heartbeatQueueName(dataPlane)}`;
}

/** The alias of the heartbeat queues' KMS key; data-plane senders are limited to keys with it. */
export function heartbeatKeyAlias(controlPlane: PlaneLocation): string {
  return `alias/waggle-cp-heartbeats-${controlPlane.region}`;
}

/** The data plane's heartbeat sender role, named so that the control plane's queue policy can name it. */
export function heartbeatSenderRoleName(dataPlane: DataPlaneRef): string {
  return `waggle-hb-${dataPlane.name}-${dataPlane.region}`;
}

export function heartbeatSenderRoleArn(dataPlane: DataPlaneRef, partition: string): string {
  return `arn:${partition}:iam::${dataPlane.account}:role/${heartbeatSenderRoleName(dataPlane)}`;
}
