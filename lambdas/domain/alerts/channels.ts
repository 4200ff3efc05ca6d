/**
 * The channel lifecycle of a project: create (URL checked against SSRF before anything is stored;
 * a webhook gets a signing secret, returned once and stored sealed), list, delete, rotate the
 * secret (the old one keeps signing beside the new one for a grace period), and test (a test
 * notification queued for the real delivery path).
 */
import { randomUUID } from 'node:crypto';
import { type ControlPlaneContext, findInProject, isoNow } from '../control-plane/context';
import { firstVersion, inProject, nextVersion, type Project } from '../control-plane/model';
import { ValidationError } from '../errors';
import type { MessageQueue } from '../ports';
import type { SecretSealer } from '../providers/ports';
import type { ChannelInput, ChannelRecord } from './channel';
import { sealWebhookSecret } from './channel-secrets';
import { queueDeliveries } from './delivery-queue';
import { type HostResolver, resolveDeliveryTarget, type UrlPolicy } from './delivery-target';
import { testNotification } from './notification';
import { generateWebhookSecret } from './webhook-signing';

export interface ChannelDeps {
  context: ControlPlaneContext;
  sealer: SecretSealer;
  resolver: HostResolver;
  policy: UrlPolicy;
  queue: MessageQueue;
  /** Whether email can be sent (an SES sender is configured); email channels are refused otherwise. */
  emailEnabled: boolean;
}

/** A project's channels; more would be a mistake (and a fan-out per notification). */
export const MAX_CHANNELS_PER_PROJECT = 50;
/** How long a rotated-out secret still signs beside the new one. */
export const SECRET_GRACE_MS = 24 * 3600_000;

export async function createChannel(
  deps: ChannelDeps,
  project: Project,
  input: ChannelInput,
  createdBy: string,
): Promise<{ channel: ChannelRecord; secret: string | null }> {
  const { context } = deps;
  if (input.type === 'email' && !deps.emailEnabled)
    throw new ValidationError('email channels are not available: this control plane has no email sender');
  // The SSRF checks before anything is stored: a refused URL leaves nothing behind.
  if (input.url !== undefined) await resolveDeliveryTarget(input.url, deps.resolver, deps.policy);
  if ((await listChannels(context, project)).length >= MAX_CHANNELS_PER_PROJECT)
    throw new ValidationError(`a project has at most ${MAX_CHANNELS_PER_PROJECT} channels`);
  const id = context.newId();
  const secret = input.type === 'webhook' ? generateWebhookSecret() : null;
  const channel: ChannelRecord = {
    kind: 'channel',
    ...inProject(project),
    id,
    ...firstVersion(isoNow(context)),
    name: input.name,
    type: input.type,
    ...(input.url !== undefined && { url: input.url }),
    ...(input.email !== undefined && { email: input.email }),
    severities: input.severities,
    ...(input.format !== undefined && { format: input.format }),
    ...(input.routing_key !== undefined && { routing_key: input.routing_key }),
    ...(secret !== null && {
      secret_sealed: await sealWebhookSecret(deps.sealer, { org_id: project.org_id, id }, secret),
    }),
    created_by: createdBy,
  };
  await context.store.put(channel);
  return { channel, secret };
}

export async function listChannels(context: ControlPlaneContext, project: Project): Promise<ChannelRecord[]> {
  const channels = await context.store.listByOrg('channel', project.org_id);
  return channels.filter((channel) => channel.project_id === project.id);
}

export function findChannel(
  context: ControlPlaneContext,
  project: Project,
  id: string,
): Promise<ChannelRecord> {
  return findInProject(context, 'channel', project, id, 'No such channel');
}

export async function deleteChannel(context: ControlPlaneContext, channel: ChannelRecord): Promise<void> {
  await context.store.delete({ kind: 'channel', org_id: channel.org_id, id: channel.id }, channel.version);
}

/** A new secret; the current one becomes the previous one and signs beside it for SECRET_GRACE_MS. */
export async function rotateChannelSecret(
  deps: Pick<ChannelDeps, 'context' | 'sealer'>,
  channel: ChannelRecord,
): Promise<{ channel: ChannelRecord; secret: string }> {
  if (channel.type !== 'webhook' || channel.secret_sealed === undefined)
    throw new ValidationError(`a ${channel.type} channel has no signing secret`);
  const { context } = deps;
  const secret = generateWebhookSecret();
  const now = isoNow(context);
  const rotated = nextVersion(
    channel,
    {
      secret_sealed: await sealWebhookSecret(deps.sealer, channel, secret),
      previous_secret_sealed: channel.secret_sealed,
      previous_secret_expires_at: new Date(context.clock() + SECRET_GRACE_MS).toISOString(),
    },
    now,
  );
  await context.store.put(rotated);
  return { channel: rotated, secret };
}

/** Queues a test notification for this channel alone (whatever its severities); returns its id. */
export async function queueTestNotification(
  deps: Pick<ChannelDeps, 'context' | 'queue' | 'resolver' | 'policy'>,
  project: Project,
  channel: ChannelRecord,
): Promise<string> {
  // Checked again now, not only when delivered: the caller learns at once that the URL went bad.
  if (channel.url !== undefined) await resolveDeliveryTarget(channel.url, deps.resolver, deps.policy);
  const notification = testNotification({
    id: newNotificationId(),
    now: deps.context.clock(),
    org_id: project.org_id,
    project_id: project.id,
    project_name: project.name,
  });
  await queueDeliveries(deps.queue, notification, [channel]);
  return notification.id;
}

/** An idempotency id (webhook-id): `msg_` and 128 random bits. */
export function newNotificationId(): string {
  return `msg_${randomUUID().replace(/-/g, '')}`;
}
