/**
 * The notification log: one entry per delivery attempt (delivered, failed and to be retried, or
 * dropped), written by the sender and listed newest first by the notifications API. An entry holds
 * what the notification and its outcome already say (ids, monitor, severity, state, status,
 * attempt, a short error), never more: a notification carries no event contents, so neither does
 * its log. Entries expire after LOG_RETENTION_DAYS.
 */
import { ValidationError } from '../errors';
import type { DeliveryOutcome } from './deliver';
import type { DeliveryMessage } from './delivery-queue';
import type { MonitorState, NotificationType, Severity } from './notification';

export const DELIVERY_STATUSES = ['delivered', 'failed', 'dropped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface NotificationLogEntry {
  notification_id: string;
  type: NotificationType;
  channel_id: string;
  monitor_id: string;
  monitor_name: string;
  severity: Severity;
  state: MonitorState;
  status: DeliveryStatus;
  /** 1-based: the queue's receive count of the delivery. */
  attempt: number;
  /** Why it failed or was dropped, cut to ERROR_SUMMARY_CHARS; absent when delivered. */
  error?: string;
  /** When the attempt ended (ISO 8601). */
  at: string;
}

/** Where an entry belongs: the notification's project. */
export interface LogOwner {
  org_id: string;
  project_id: string;
}

export interface NotificationLogPage {
  entries: NotificationLogEntry[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  next_cursor: string | null;
}

export interface NotificationLog {
  append(owner: LogOwner, entry: NotificationLogEntry): Promise<void>;
  /** Newest first; `cursor` from a previous page continues after it. */
  list(owner: LogOwner, page: { limit: number; cursor?: string }): Promise<NotificationLogPage>;
}

/** How long entries are kept (the store's TTL; expired ones are never listed). */
export const LOG_RETENTION_DAYS = 30;
/** Receivers' answers and resolver errors can be long; the log keeps a summary (items stay < 1 KB). */
export const ERROR_SUMMARY_CHARS = 300;
export const DEFAULT_LOG_LIMIT = 50;
export const MAX_LOG_LIMIT = 100;

/** The entry of one attempt's outcome (`retry` is a failed attempt: the queue brings it back). */
export function logEntryOf(
  message: DeliveryMessage,
  outcome: DeliveryOutcome,
  attempt: number,
  now: number,
): NotificationLogEntry {
  const { notification } = message;
  const status: DeliveryStatus =
    outcome.result === 'delivered' ? 'delivered' : outcome.result === 'retry' ? 'failed' : 'dropped';
  return {
    notification_id: notification.id,
    type: notification.type,
    channel_id: message.channel.id,
    monitor_id: notification.monitor_id,
    monitor_name: notification.monitor_name,
    severity: notification.severity,
    state: notification.state,
    status,
    attempt,
    ...(outcome.result !== 'delivered' && { error: summarize(outcome.reason) }),
    at: new Date(now).toISOString(),
  };
}

function summarize(reason: string): string {
  const line = reason.replace(/\s+/g, ' ').trim();
  return line.length <= ERROR_SUMMARY_CHARS ? line : `${line.slice(0, ERROR_SUMMARY_CHARS - 1)}…`;
}

/** `limit` (1 to MAX_LOG_LIMIT, default DEFAULT_LOG_LIMIT) and `cursor` from a query string. */
export function readLogPageQuery(query: URLSearchParams): { limit: number; cursor?: string } {
  const rawLimit = query.get('limit');
  let limit = DEFAULT_LOG_LIMIT;
  if (rawLimit !== null) {
    if (!/^\d{1,4}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_LOG_LIMIT)
      throw new ValidationError(`limit must be an integer from 1 to ${MAX_LOG_LIMIT}`);
    limit = Number(rawLimit);
  }
  const cursor = query.get('cursor');
  if (cursor === null || cursor === '') return { limit };
  return { limit, cursor };
}

/**
 * A log position: the entry's time, notification, channel and attempt. Times are fixed-width ISO
 * strings, so positions sort as the entries' times do; the rest makes them unique.
 */
export function logPosition(entry: NotificationLogEntry): string {
  return `${entry.at}#${entry.notification_id}#${entry.channel_id}#${entry.attempt}`;
}

const POSITION = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#[^#]{1,200}#[^#]{1,200}#\d{1,4}$/;

/** Cursors are opaque to callers: base64url of the position of the last entry listed. */
export function cursorOf(position: string): string {
  return Buffer.from(position).toString('base64url');
}

/** The position a cursor names; a cursor that was not made by cursorOf is a 400. */
export function positionOf(cursor: string): string {
  const position = cursor.length <= 1000 ? Buffer.from(cursor, 'base64url').toString() : '';
  if (!POSITION.test(position) || cursorOf(position) !== cursor)
    throw new ValidationError('cursor is not one this API gave');
  return position;
}

/** Seconds since the epoch when an entry written at `now` expires (DynamoDB TTL's unit). */
export function expiresAtSeconds(now: number): number {
  return Math.floor(now / 1000) + LOG_RETENTION_DAYS * 86_400;
}
