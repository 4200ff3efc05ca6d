/**
 * One delivery: the channel is read again (a deleted channel gets nothing, a changed URL is used),
 * the URL goes through the SSRF checks again (DNS may have changed since it was saved), and the
 * notification is sent in the channel's shape, if the channel takes its severity. The outcome says what the queue should do:
 * delivered; retry (the receiver or the network failed, it may work later); or dropped (it will
 * never work: the channel is gone, its URL is refused, the receiver refused or redirected).
 */
import type { RecordRef } from '../control-plane/model';
import type { ControlPlaneStore } from '../control-plane/store';
import type { SecretSealer } from '../providers/ports';
import type { ChannelRecord } from './channel';
import { openSigningSecrets } from './channel-secrets';
import type { DeliveryMessage } from './delivery-queue';
import {
  type DeliveryTarget,
  type HostResolver,
  RefusedUrlError,
  resolveDeliveryTarget,
  UnresolvedHostError,
  type UrlPolicy,
} from './delivery-target';
import {
  emailContent,
  type Notification,
  pagerDutyPayload,
  slackPayload,
  webhookPayload,
} from './notification';
import { webhookHeaders } from './webhook-signing';

/** A POST of a JSON body to the checked address (and only there); no redirects followed. */
export interface WebhookRequest {
  target: DeliveryTarget;
  headers: Record<string, string>;
  body: string;
}

/** Throws on a network failure or a timeout; answers the receiver's status otherwise. */
export type WebhookTransport = (request: WebhookRequest) => Promise<{ status: number }>;

export type EmailSender = (email: { to: string; subject: string; text: string }) => Promise<void>;

export interface DeliveryPorts {
  channels: Pick<ControlPlaneStore, 'get'>;
  sealer: SecretSealer;
  resolver: HostResolver;
  policy: UrlPolicy;
  transport: WebhookTransport;
  /** Absent when no email sender is configured: email deliveries are dropped. */
  email?: EmailSender;
  clock: () => number;
}

export type DeliveryOutcome =
  | { result: 'delivered'; channel: ChannelRecord }
  | { result: 'retry'; reason: string }
  | { result: 'dropped'; reason: string };

/** The channel does not take this severity (routing): nothing is sent, nothing is wrong. */
export interface NotRouted {
  result: 'not-routed';
  reason: string;
}

export async function deliverNotification(
  ports: DeliveryPorts,
  message: DeliveryMessage,
): Promise<DeliveryOutcome | NotRouted> {
  const ref: RecordRef<'channel'> = {
    kind: 'channel',
    org_id: message.channel.org_id,
    id: message.channel.id,
  };
  const channel = await ports.channels.get(ref);
  if (!channel || channel.project_id !== message.notification.project_id)
    return { result: 'dropped', reason: 'the channel no longer exists' };
  const { severity, type } = message.notification;
  // Routing by severity happens here, where the channel is read: monitors name channels, not severities.
  // A test notification goes to its channel whatever the channel takes.
  if (type === 'monitor.state_changed' && !channel.severities.includes(severity))
    return { result: 'not-routed', reason: `the channel takes ${channel.severities.join(', ')} only` };
  if (channel.type === 'email') return deliverEmail(ports, channel, message.notification);
  let target: DeliveryTarget;
  try {
    target = await resolveDeliveryTarget(channel.url as string, ports.resolver, ports.policy);
  } catch (error) {
    if (error instanceof UnresolvedHostError) return { result: 'retry', reason: error.message };
    if (error instanceof RefusedUrlError) return { result: 'dropped', reason: error.message };
    throw error;
  }
  const request = await webhookRequest(ports, channel, message.notification, target);
  let answered: number;
  try {
    answered = (await ports.transport(request)).status;
  } catch (error) {
    return { result: 'retry', reason: `the receiver did not answer (${(error as Error).message})` };
  }
  return outcomeOf(answered, channel);
}

/** 2xx delivered; 408, 429 and 5xx may pass later; a redirect (never followed) or another 4xx will not. */
function outcomeOf(answered: number, channel: ChannelRecord): DeliveryOutcome {
  if (answered >= 200 && answered < 300) return { result: 'delivered', channel };
  const reason = `the receiver answered ${answered}`;
  if (answered >= 300 && answered < 400)
    return { result: 'dropped', reason: `${reason} (redirects are not followed)` };
  if (answered === 408 || answered === 429 || answered >= 500) return { result: 'retry', reason };
  return { result: 'dropped', reason };
}

async function webhookRequest(
  ports: DeliveryPorts,
  channel: ChannelRecord,
  notification: Notification,
  target: DeliveryTarget,
): Promise<WebhookRequest> {
  const json = { 'content-type': 'application/json' };
  if (channel.type === 'slack')
    return { target, headers: json, body: JSON.stringify(slackPayload(notification)) };
  const body = JSON.stringify(
    channel.format === 'pagerduty'
      ? pagerDutyPayload(notification, channel.routing_key as string)
      : webhookPayload(notification),
  );
  const now = ports.clock();
  const secrets = await openSigningSecrets(ports.sealer, channel, now);
  return {
    target,
    headers: { ...json, ...webhookHeaders(secrets, notification.id, Math.floor(now / 1000), body) },
    body,
  };
}

async function deliverEmail(
  ports: DeliveryPorts,
  channel: ChannelRecord,
  notification: Notification,
): Promise<DeliveryOutcome> {
  if (!ports.email) return { result: 'dropped', reason: 'no email sender is configured' };
  try {
    await ports.email({ to: channel.email as string, ...emailContent(notification) });
  } catch (error) {
    return { result: 'retry', reason: `the email was not sent (${(error as Error).message})` };
  }
  return { result: 'delivered', channel };
}
