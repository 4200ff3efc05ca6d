/** Notification shapes: severities of transitions, what each channel receives, and hostile queue messages. */
import { describe, expect, it } from 'vitest';
import { channelView, readChannelInput } from '../../../lambdas/domain/alerts/channel';
import {
  emailContent,
  pagerDutyPayload,
  readNotification,
  severityOf,
  slackPayload,
  webhookPayload,
} from '../../../lambdas/domain/alerts/notification';
import { ValidationError } from '../../../lambdas/domain/errors';
import { aChannel, aNotification } from './alerts-fixtures';

describe('severities', () => {
  it('notifies entering warning or critical, and the way back to ok as a resolution', () => {
    expect(severityOf('critical', 'ok')).toBe('critical');
    expect(severityOf('warning', 'ok')).toBe('warning');
    expect(severityOf('critical', 'warning')).toBe('critical');
    expect(severityOf('ok', 'critical')).toBe('resolution');
    expect(severityOf('ok', 'warning')).toBe('resolution');
    expect(severityOf('ok', 'unknown')).toBeUndefined();
    expect(severityOf('critical', 'critical')).toBeUndefined();
    expect(severityOf('paused', 'critical')).toBeUndefined();
    expect(severityOf('no_data', 'ok')).toBeUndefined();
  });
});

describe('payloads', () => {
  const notification = aNotification();

  it('webhook: type, timestamp and data with every figure, the id as notification_id, no org id', () => {
    const payload = webhookPayload(notification);
    expect(payload).toEqual({
      type: 'monitor.state_changed',
      timestamp: notification.timestamp,
      data: {
        notification_id: 'msg_1',
        project_id: 'p1',
        project_name: 'alpha',
        monitor_id: 'mon1',
        monitor_name: 'Model errors',
        state: 'critical',
        previous_state: 'ok',
        severity: 'critical',
        value: 12,
        threshold: 10,
        window_minutes: 5,
      },
    });
  });

  it('Slack: text and blocks, user text escaped so names cannot mention or link', () => {
    const payload = slackPayload(aNotification({ monitor_name: '<!channel> <https://evil|x>' }));
    expect(payload.text).toContain('<!channel>');
    const details = JSON.stringify(payload.blocks);
    expect(details).toContain('Threshold: 10');
    expect(payload.blocks[0]).toMatchObject({ text: { type: 'plain_text' } });
    expect(slackPayload(aNotification({ project_name: 'a<b>&c' })).blocks[1]).toMatchObject({
      text: { type: 'mrkdwn', text: expect.stringContaining('a&lt;b&gt;&amp;c') },
    });
  });

  it('PagerDuty Events v2: trigger with a payload, resolve by the same dedup key', () => {
    const key = 'a'.repeat(32);
    const trigger = pagerDutyPayload(notification, key);
    expect(trigger).toMatchObject({
      routing_key: key,
      event_action: 'trigger',
      dedup_key: 'p1/mon1',
      payload: { severity: 'critical', source: 'waggle/alpha', summary: expect.any(String) },
    });
    const resolve = pagerDutyPayload(
      aNotification({ state: 'ok', previous_state: 'critical', severity: 'resolution' }),
      key,
    );
    expect(resolve).toEqual({ routing_key: key, event_action: 'resolve', dedup_key: 'p1/mon1' });
  });

  it('email: a one-line subject whatever the names hold', () => {
    const email = emailContent(aNotification({ monitor_name: 'evil\r\nBcc: all@example.com' }));
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.text).toContain('Value: 12');
  });
});

describe('reading a queued notification', () => {
  it('reads back what was written', () => {
    const notification = aNotification();
    expect(readNotification(JSON.parse(JSON.stringify(notification)))).toEqual(notification);
  });

  it.each([
    ['not an object', []],
    ['a wrong type', { ...aNotification(), type: 'event.contents' }],
    ['an unknown state', { ...aNotification(), state: 'on fire' }],
    ['a non-finite value', { ...aNotification(), value: 'NaN' }],
    ['an empty id', { ...aNotification(), id: '' }],
    ['an over-long name', { ...aNotification(), monitor_name: 'x'.repeat(401) }],
    ['a bad window', { ...aNotification(), window_minutes: 0 }],
    ['a bad time', { ...aNotification(), timestamp: 'yesterday' }],
  ])('refuses %s', (_name, value) => {
    expect(() => readNotification(value)).toThrow(ValidationError);
  });

  it('keeps nothing beyond the notification fields (no event contents can ride along)', () => {
    const read = readNotification({ ...aNotification(), inputs: { prompt: 'secret' }, outputs: 'x' });
    expect(JSON.stringify(read)).not.toContain('secret');
  });
});

describe('channel input', () => {
  it('reads each type with its defaults', () => {
    expect(readChannelInput({ type: 'webhook', name: ' hook ', url: 'https://a.example/' })).toEqual({
      type: 'webhook',
      name: 'hook',
      url: 'https://a.example/',
      format: 'standard',
      severities: ['critical', 'warning', 'resolution'],
    });
    expect(
      readChannelInput({
        type: 'slack',
        name: 's',
        url: 'https://hooks.slack.com/services/T/B/X',
        severities: ['resolution', 'critical'],
      }),
    ).toMatchObject({ severities: ['critical', 'resolution'] });
    expect(readChannelInput({ type: 'email', name: 'e', email: 'oncall@example.com' })).toMatchObject({
      email: 'oncall@example.com',
    });
    expect(
      readChannelInput({
        type: 'webhook',
        name: 'pd',
        url: 'https://events.pagerduty.com/v2/enqueue',
        format: 'pagerduty',
        routing_key: 'R'.repeat(32),
      }),
    ).toMatchObject({ format: 'pagerduty', routing_key: 'R'.repeat(32) });
  });

  it.each([
    ['no type', { name: 'x', url: 'https://a.example/' }],
    ['an unknown field', { type: 'webhook', name: 'x', url: 'https://a.example/', secret: 'mine' }],
    ['a url on an email channel', { type: 'email', name: 'x', email: 'a@b.co', url: 'https://a.example/' }],
    ['an email on a webhook', { type: 'webhook', name: 'x', url: 'https://a.example/', email: 'a@b.co' }],
    ['a header in an email', { type: 'email', name: 'x', email: 'a@b.co\r\nBcc: c@d.co' }],
    ['a non-string url', { type: 'slack', name: 'x', url: 42 }],
    ['an empty severities list', { type: 'webhook', name: 'x', url: 'https://a.example/', severities: [] }],
    [
      'pagerduty without a key',
      { type: 'webhook', name: 'x', url: 'https://a.example/', format: 'pagerduty' },
    ],
    [
      'a routing key without pagerduty',
      { type: 'webhook', name: 'x', url: 'https://a.example/', routing_key: 'R'.repeat(32) },
    ],
    ['a format on slack', { type: 'slack', name: 'x', url: 'https://a.example/', format: 'standard' }],
    ['an over-long name', { type: 'webhook', name: 'x'.repeat(201), url: 'https://a.example/' }],
  ])('refuses %s', (_name, body) => {
    expect(() => readChannelInput(body as Record<string, unknown>)).toThrow(ValidationError);
  });

  it('shows no secret, no routing key, and only the end of a Slack URL', () => {
    const view = channelView(
      aChannel({
        type: 'slack',
        url: 'https://hooks.slack.com/services/T000/B000/XXXXsecretXXXXabcd',
        secret_sealed: 'sealed',
        routing_key: 'k',
      }),
    );
    expect(view.url).toBe('https://hooks.slack.com/…abcd');
    expect(JSON.stringify(view)).not.toMatch(/sealed|secret|routing/);
  });
});
