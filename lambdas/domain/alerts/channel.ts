/**
 * A notification channel of a project: a signed webhook (optionally in PagerDuty's Events v2
 * shape), a Slack incoming webhook, or an email address. Kept in the control-plane store (kind
 * `channel`, never synced to data planes). A webhook's signing secret is stored sealed (envelope
 * encryption bound to the channel: channel-secrets.ts), shown once when made or rotated.
 */
import { ValidationError } from '../errors';
import { SEVERITIES, type Severity } from './notification';

export const CHANNEL_TYPES = ['webhook', 'slack', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const WEBHOOK_FORMATS = ['standard', 'pagerduty'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface ChannelRecord {
  kind: 'channel';
  org_id: string;
  id: string;
  version: number;
  created_at: string;
  updated_at: string;
  workspace_id: string;
  project_id: string;
  name: string;
  type: ChannelType;
  /** webhook and slack. */
  url?: string;
  /** email. */
  email?: string;
  /** The severities this channel receives (routing); all three unless narrowed. */
  severities: Severity[];
  /** webhook: the body's shape. */
  format?: WebhookFormat;
  /** webhook in PagerDuty format: the integration's routing key (never shown back). */
  routing_key?: string;
  /** webhook: the current signing secret, sealed (base64), and the one it replaced during the grace period. */
  secret_sealed?: string;
  previous_secret_sealed?: string;
  previous_secret_expires_at?: string;
  created_by: string;
}

/** What a request may set on a new channel (checked here; URLs also by the SSRF checks). */
export interface ChannelInput {
  type: ChannelType;
  name: string;
  url?: string;
  email?: string;
  severities: Severity[];
  format?: WebhookFormat;
  routing_key?: string;
}

const MAX_NAME = 200;
/** RFC 5321's limit on a forward path. */
const MAX_EMAIL = 254;
/** One @, no spaces or control characters, a dot in the domain: SES checks the rest. */
const EMAIL = /^[^\s@<>()[\]\\,;:"\p{Cc}]+@[^\s@<>()[\]\\,;:"\p{Cc}]+\.[^\s@<>()[\]\\,;:"\p{Cc}]+$/u;
/** PagerDuty integration keys are 32 characters. */
const ROUTING_KEY = /^[A-Za-z0-9]{32}$/;
const FIELDS = new Set(['type', 'name', 'url', 'email', 'severities', 'format', 'routing_key']);

export function readChannelInput(body: Record<string, unknown>): ChannelInput {
  for (const field of Object.keys(body))
    if (!FIELDS.has(field))
      throw new ValidationError(`unknown field ${field} (allowed: ${[...FIELDS].join(', ')})`);
  const type = body.type;
  if (!(CHANNEL_TYPES as readonly unknown[]).includes(type))
    throw new ValidationError(`type must be one of ${CHANNEL_TYPES.join(', ')}`);
  const name = body.name;
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME)
    throw new ValidationError(`name must be a non-empty string of at most ${MAX_NAME} characters`);
  const input: ChannelInput = {
    type: type as ChannelType,
    name: name.trim(),
    severities: readSeverities(body.severities),
  };
  if (input.type === 'email') {
    if (body.url !== undefined) throw new ValidationError('an email channel takes email, not url');
    const email = body.email;
    if (typeof email !== 'string' || email.length > MAX_EMAIL || !EMAIL.test(email))
      throw new ValidationError('email must be an email address');
    input.email = email;
  } else {
    if (body.email !== undefined) throw new ValidationError(`a ${input.type} channel takes url, not email`);
    if (typeof body.url !== 'string') throw new ValidationError('url is required');
    input.url = body.url;
  }
  if (input.type === 'webhook') {
    const format = body.format ?? 'standard';
    if (!(WEBHOOK_FORMATS as readonly unknown[]).includes(format))
      throw new ValidationError(`format must be one of ${WEBHOOK_FORMATS.join(', ')}`);
    input.format = format as WebhookFormat;
    if (input.format === 'pagerduty') {
      if (typeof body.routing_key !== 'string' || !ROUTING_KEY.test(body.routing_key))
        throw new ValidationError('a pagerduty webhook needs routing_key (the 32-character integration key)');
      input.routing_key = body.routing_key;
    }
  }
  if (input.format !== 'pagerduty' && body.routing_key !== undefined)
    throw new ValidationError('routing_key is for webhooks in pagerduty format');
  if (input.type !== 'webhook' && body.format !== undefined)
    throw new ValidationError('format is for webhooks');
  return input;
}

function readSeverities(value: unknown): Severity[] {
  if (value === undefined) return [...SEVERITIES];
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((item) => !(SEVERITIES as readonly unknown[]).includes(item))
  ) {
    throw new ValidationError(`severities must be a non-empty list of ${SEVERITIES.join(', ')}`);
  }
  return SEVERITIES.filter((severity) => value.includes(severity));
}

/** A channel as the API shows it: no secret, no routing key, and a Slack URL (itself a credential) cut. */
export function channelView(channel: ChannelRecord) {
  return {
    id: channel.id,
    project_id: channel.project_id,
    type: channel.type,
    name: channel.name,
    ...(channel.url !== undefined && {
      url: channel.type === 'slack' ? redactedSlackUrl(channel.url) : channel.url,
    }),
    ...(channel.email !== undefined && { email: channel.email }),
    ...(channel.format !== undefined && { format: channel.format }),
    severities: [...channel.severities],
    ...(channel.previous_secret_expires_at !== undefined && {
      previous_secret_expires_at: channel.previous_secret_expires_at,
    }),
    created_at: channel.created_at,
    updated_at: channel.updated_at,
    created_by: channel.created_by,
  };
}

/** Slack's incoming-webhook URL is its own credential: only its origin and last 4 characters show. */
function redactedSlackUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}/…${url.slice(-4)}`;
}
