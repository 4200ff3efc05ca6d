/**
 * A notification: one monitor state change (or a channel test), as it travels on the delivery queue
 * and as every channel shows it. It holds figures and names only (monitor, state, value, threshold,
 * window, project, severity), never event contents: what leaves the data plane is what a channel
 * may receive. `id` is the idempotency id: the webhook-id header, PagerDuty's dedup key, the same
 * on every retry.
 */
import { ValidationError } from '../errors';

export const SEVERITIES = ['critical', 'warning', 'resolution'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const MONITOR_STATES = ['unknown', 'ok', 'warning', 'critical', 'no_data', 'paused'] as const;
export type MonitorState = (typeof MONITOR_STATES)[number];

export const NOTIFICATION_TYPES = ['monitor.state_changed', 'channel.test'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface Notification {
  type: NotificationType;
  /** The idempotency id (webhook-id): `msg_` and a random id, the same on every retry. */
  id: string;
  /** When the state changed (ISO 8601). */
  timestamp: string;
  org_id: string;
  project_id: string;
  project_name: string;
  monitor_id: string;
  monitor_name: string;
  state: MonitorState;
  previous_state: MonitorState;
  severity: Severity;
  /** The aggregate that crossed (or came back under) the threshold; null with no data. */
  value: number | null;
  /** The level that was crossed: the critical or warning threshold. */
  threshold: number | null;
  window_minutes: number;
}

/**
 * The severity of a transition: entering critical or warning is that severity; coming back to ok
 * from either is a resolution. Other transitions (unknown -> ok, paused, no data) notify nothing.
 */
export function severityOf(state: MonitorState, previous: MonitorState): Severity | undefined {
  if (state === previous) return undefined;
  if (state === 'critical' || state === 'warning') return state;
  if (state === 'ok' && (previous === 'critical' || previous === 'warning')) return 'resolution';
  return undefined;
}

/** The notification a channel test sends: a made-up critical transition, marked as a test. */
export function testNotification(input: {
  id: string;
  now: number;
  org_id: string;
  project_id: string;
  project_name: string;
}): Notification {
  return {
    type: 'channel.test',
    id: input.id,
    timestamp: new Date(input.now).toISOString(),
    org_id: input.org_id,
    project_id: input.project_id,
    project_name: input.project_name,
    monitor_id: 'test',
    monitor_name: 'Test notification',
    state: 'critical',
    previous_state: 'ok',
    severity: 'critical',
    value: 1,
    threshold: 0,
    window_minutes: 5,
  };
}

/** The Standard Webhooks body (`type`, `timestamp`, `data`) of a notification. */
export function webhookPayload(notification: Notification): Record<string, unknown> {
  const { type, id, timestamp, org_id: _org, ...data } = notification;
  return { type, timestamp, data: { notification_id: id, ...data } };
}

/** One line saying what happened, for Slack, email subjects and PagerDuty summaries. */
export function summaryOf(notification: Notification): string {
  const test = notification.type === 'channel.test' ? '[test] ' : '';
  const what =
    notification.severity === 'resolution'
      ? `resolved (${notification.previous_state} -> ${notification.state})`
      : `is ${notification.state} (was ${notification.previous_state})`;
  return `${test}${notification.monitor_name} ${what} in ${notification.project_name}`;
}

/** The figures of a notification as text lines (Slack, email). */
export function detailLines(notification: Notification): string[] {
  return [
    `Value: ${notification.value ?? 'no data'}`,
    `Threshold: ${notification.threshold ?? 'none'}`,
    `Window: ${notification.window_minutes} min`,
    `Severity: ${notification.severity}`,
    `Monitor: ${notification.monitor_id}`,
    `Project: ${notification.project_name} (${notification.project_id})`,
    `At: ${notification.timestamp}`,
  ];
}

/** A Slack incoming-webhook message: `text` (the fallback) and blocks. */
export function slackPayload(notification: Notification): { text: string; blocks: unknown[] } {
  const text = summaryOf(notification);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'plain_text', text } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: detailLines(notification).map(escapeMrkdwn).join('\n') },
      },
    ],
  };
}

/** Slack's three control characters in mrkdwn (names are user text: no links or mentions from them). */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** PagerDuty Events API v2 (`POST /v2/enqueue`): trigger on critical and warning, resolve on resolution. */
export function pagerDutyPayload(notification: Notification, routingKey: string): Record<string, unknown> {
  const resolve = notification.severity === 'resolution';
  return {
    routing_key: routingKey,
    event_action: resolve ? 'resolve' : 'trigger',
    // One incident per monitor: the resolution closes the incident its trigger opened.
    dedup_key: `${notification.project_id}/${notification.monitor_id}`,
    ...(!resolve && {
      payload: {
        summary: summaryOf(notification).slice(0, 1024),
        source: `waggle/${notification.project_name}`,
        severity: notification.severity,
        timestamp: notification.timestamp,
        component: notification.monitor_name,
        custom_details: webhookPayload(notification).data,
      },
    }),
  };
}

/** The email of a notification (plain text: no HTML to escape, nothing to render). */
export function emailContent(notification: Notification): { subject: string; text: string } {
  const subject = `[Waggle] ${summaryOf(notification)}`.replace(/[\r\n]+/g, ' ').slice(0, 200);
  return { subject, text: `${summaryOf(notification)}\n\n${detailLines(notification).join('\n')}\n` };
}

/** Reads a notification back from a queue message, refusing anything that is not one. */
export function readNotification(value: unknown): Notification {
  const record = objectOf(value, 'notification');
  const text = (field: string, max = 400): string => {
    const found = record[field];
    if (typeof found !== 'string' || found === '' || found.length > max)
      throw new ValidationError(`notification.${field} must be a non-empty string`);
    return found;
  };
  const figure = (field: string): number | null => {
    const found = record[field];
    if (found === null) return null;
    if (typeof found !== 'number' || !Number.isFinite(found))
      throw new ValidationError(`notification.${field} must be a number or null`);
    return found;
  };
  const oneOf = <T extends string>(field: string, allowed: readonly T[]): T => {
    const found = record[field];
    if (!(allowed as readonly unknown[]).includes(found))
      throw new ValidationError(`notification.${field} must be one of ${allowed.join(', ')}`);
    return found as T;
  };
  const windowMinutes = record.window_minutes;
  if (typeof windowMinutes !== 'number' || !Number.isInteger(windowMinutes) || windowMinutes < 1)
    throw new ValidationError('notification.window_minutes must be a positive integer');
  const timestamp = text('timestamp', 40);
  if (Number.isNaN(Date.parse(timestamp))) throw new ValidationError('notification.timestamp must be a time');
  return {
    type: oneOf('type', NOTIFICATION_TYPES),
    id: text('id', 100),
    timestamp,
    org_id: text('org_id'),
    project_id: text('project_id'),
    project_name: text('project_name'),
    monitor_id: text('monitor_id'),
    monitor_name: text('monitor_name'),
    state: oneOf('state', MONITOR_STATES),
    previous_state: oneOf('previous_state', MONITOR_STATES),
    severity: oneOf('severity', SEVERITIES),
    value: figure('value'),
    threshold: figure('threshold'),
    window_minutes: windowMinutes,
  };
}

export function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ValidationError(`${what} must be an object`);
  return value as Record<string, unknown>;
}
