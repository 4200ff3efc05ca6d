/**
 * The notification log's pieces: an attempt's entry (status from the outcome, the error cut to a
 * summary, nothing of the notification beyond ids, names, severity and state), the page query, and
 * cursors (opaque, refused unless this API made them); expired entries are not listed.
 */
import { describe, expect, it } from 'vitest';
import { MemoryNotificationLog } from '../../../lambdas/domain/alerts/memory-notification-log';
import {
  cursorOf,
  ERROR_SUMMARY_CHARS,
  LOG_RETENTION_DAYS,
  logEntryOf,
  logPosition,
  positionOf,
  readLogPageQuery,
} from '../../../lambdas/domain/alerts/notification-log';
import { ValidationError } from '../../../lambdas/domain/errors';
import { aNotification, NOW } from './alerts-fixtures';

const message = { notification: aNotification(), channel: { org_id: 'org1', id: 'ch1' } };
const owner = { org_id: 'org1', project_id: 'p1' };

describe('log entries', () => {
  it('name the outcome: delivered, failed (to be retried) or dropped, with a one-line summary', () => {
    expect(logEntryOf(message, { result: 'delivered', channel: {} as never }, 1, NOW)).not.toHaveProperty(
      'error',
    );
    expect(logEntryOf(message, { result: 'retry', reason: 'timeout\nafter 10 s' }, 2, NOW)).toMatchObject({
      status: 'failed',
      attempt: 2,
      error: 'timeout after 10 s',
    });
    const long = logEntryOf(message, { result: 'dropped', reason: 'x'.repeat(5000) }, 1, NOW);
    expect(long.status).toBe('dropped');
    expect(long.error).toHaveLength(ERROR_SUMMARY_CHARS);
    // Only ids, names, severity, state and figures of the attempt: never the value or project name.
    expect(Object.keys(long).sort()).toEqual(
      [
        'at',
        'attempt',
        'channel_id',
        'error',
        'monitor_id',
        'monitor_name',
        'notification_id',
        'severity',
        'state',
        'status',
        'type',
      ].sort(),
    );
  });
});

describe('page queries and cursors', () => {
  it('reads limit and cursor, refusing what is out of range', () => {
    expect(readLogPageQuery(new URLSearchParams(''))).toEqual({ limit: 50 });
    expect(readLogPageQuery(new URLSearchParams('limit=100&cursor=abc'))).toEqual({
      limit: 100,
      cursor: 'abc',
    });
    for (const limit of ['0', '101', '', '1e2', ' 5', '0x10'])
      expect(() => readLogPageQuery(new URLSearchParams({ limit })), limit).toThrow(ValidationError);
  });

  it('gives back the position a cursor was made from, and refuses any other', () => {
    const position = logPosition(logEntryOf(message, { result: 'delivered', channel: {} as never }, 3, NOW));
    expect(positionOf(cursorOf(position))).toBe(position);
    const forged = [
      '',
      '!!!',
      cursorOf('2026-12-04T10:00:00.000Z'),
      cursorOf(`${position}#extra`),
      cursorOf(position.replace('T10', 'T1')),
      `${cursorOf(position)}=`,
      cursorOf(`${position}`).repeat(20),
    ];
    for (const cursor of forged) expect(() => positionOf(cursor), cursor).toThrow(ValidationError);
  });
});

describe('the memory log', () => {
  it('lists a project newest first, keeps one entry per attempt, and hides expired ones', async () => {
    let now = NOW;
    const log = new MemoryNotificationLog(() => now);
    const at = (offset: number, attempt = 1) =>
      logEntryOf(message, { result: 'delivered', channel: {} as never }, attempt, NOW + offset);
    await log.append(owner, at(0));
    await log.append(owner, at(1000));
    await log.append(owner, at(1000)); // the same attempt logged twice
    await log.append({ ...owner, project_id: 'p2' }, at(2000));
    const page = await log.list(owner, { limit: 10 });
    expect(page.entries.map((entry) => entry.at)).toEqual([at(1000).at, at(0).at]);
    expect(page.next_cursor).toBeNull();
    now = NOW + LOG_RETENTION_DAYS * 86_400_000 + 500;
    expect((await log.list(owner, { limit: 10 })).entries.map((entry) => entry.at)).toEqual([at(1000).at]);
  });
});
