/**
 * Notification channels on the local platform, end to end: a webhook channel pointing at a receiver
 * on 127.0.0.1, its test notification delivered through the delivery queue and the sender, signed
 * as Standard Webhooks do (checked with the `standardwebhooks` package's verifier and with the
 * algorithm written out); private and metadata URLs refused with 400 and nothing stored; secret
 * rotation (the new secret signs, the old one too for its grace period); a failing receiver retried
 * with the same webhook-id, then dead-lettered; Slack's message; email written to the outbox; a
 * missing sign-in, project or channel. The notification log: a test send logged as delivered, each
 * retry as failed, a name rebound to a private address as dropped; paged newest first.
 */
import { createHmac } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsHostResolver } from '../../lambdas/adapters/dns-host-resolver';
import type { HostResolver } from '../../lambdas/domain/alerts/delivery-target';
import { eventually } from '../support/read-api-client';
import { platformForFile, WITH_CONTROL_PLANE } from '../support/temp-platform';
import { startWebhookReceiver, type WebhookReceiver, webhookHeadersOf } from '../support/webhook-receiver';

/** A name that resolves to a public address when saved and tested, then to a private one (DNS rebinding). */
const REBINDING_HOST = 'rebind.waggle.test';
let rebindingLookups = 0;
const resolver: HostResolver = async (hostname) => {
  if (hostname !== REBINDING_HOST) return dnsHostResolver(hostname);
  rebindingLookups += 1;
  return [{ address: rebindingLookups <= 2 ? '93.184.216.34' : '10.0.0.7', family: 4 }];
};

const local = platformForFile('waggle-alerts-e2e-', {
  ...WITH_CONTROL_PLANE,
  controlPlane: {
    ...WITH_CONTROL_PLANE.controlPlane,
    // The AWS policy's shape with waits short enough for a test.
    notifications: { retry: { maxAttempts: 3, baseSeconds: 0.2, maxSeconds: 1 }, resolver },
  },
});
let receiver: WebhookReceiver;
let token: string;
let base: string;
let logUrl: string;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  const controlPlane = local.platform.controlPlane;
  const bootstrap = controlPlane?.bootstrap;
  if (!controlPlane || !bootstrap) throw new Error('the first start must create the admin');
  const signedIn = await call('POST', `${controlPlane.url}/v1/auth/sign-in`, {
    email: bootstrap.email,
    password: bootstrap.password,
  });
  token = signedIn.body.id_token;
  base = `${controlPlane.url}/v1/projects/${bootstrap.project_id}/channels`;
  logUrl = `${controlPlane.url}/v1/projects/${bootstrap.project_id}/notifications`;
});

afterAll(() => receiver?.close());

async function call(method: string, url: string, body?: unknown, bearer = token) {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}

/** The Standard Webhooks signature written out: v1, base64 HMAC-SHA256 of id.timestamp.body. */
function expectedSignature(secret: string, id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

interface LogEntry {
  notification_id: string;
  channel_id: string;
  status: string;
  attempt: number;
  error?: string;
}

/** The log entries of one notification, oldest first, once `count` of them are there. */
async function logged(notificationId: string, count: number): Promise<LogEntry[]> {
  let entries: LogEntry[] = [];
  await eventually(async () => {
    const answer = await call('GET', `${logUrl}?limit=100`);
    expect(answer.status).toBe(200);
    entries = (answer.body.entries as LogEntry[]).filter((entry) => entry.notification_id === notificationId);
    expect(entries).toHaveLength(count);
    return true;
  }, 10_000);
  return entries.reverse();
}

async function receivedCount(count: number) {
  await eventually(async () => {
    expect(receiver.received).toHaveLength(count);
    return true;
  }, 10_000);
}

describe('webhook channels', () => {
  let channelId: string;
  let secret: string;

  it('creates a webhook channel: its secret is shown once and never listed', async () => {
    const created = await call('POST', base, {
      type: 'webhook',
      name: 'receiver',
      url: `${receiver.url}/hooks/waggle?team=a`,
      severities: ['critical', 'resolution'],
    });
    expect(created.status).toBe(201);
    channelId = created.body.id;
    secret = created.body.secret;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64').byteLength).toBeGreaterThanOrEqual(24);

    const listed = await call('GET', base);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      expect.objectContaining({ id: channelId, type: 'webhook', severities: ['critical', 'resolution'] }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(secret.slice(6, 20));
    expect(JSON.stringify(listed.body)).not.toMatch(/secret_sealed|whsec_/);
  });

  it('delivers one signed test notification through the queue', async () => {
    const tested = await call('POST', `${base}/${channelId}/test`);
    expect(tested.status).toBe(202);
    await receivedCount(1);
    const [request] = receiver.received;
    if (!request) throw new Error('nothing received');
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/hooks/waggle?team=a');
    expect(request.headers['content-type']).toBe('application/json');
    const headers = webhookHeadersOf(request);
    expect(headers['webhook-id']).toBe(tested.body.notification_id);
    // The package's own verifier (it also checks the timestamp is recent).
    const verified = new Webhook(secret).verify(request.body, headers) as Record<string, unknown>;
    expect(verified).toMatchObject({
      type: 'channel.test',
      data: { severity: 'critical', state: 'critical', previous_state: 'ok', monitor_id: 'test' },
    });
    expect(headers['webhook-signature']).toBe(
      expectedSignature(secret, headers['webhook-id'], headers['webhook-timestamp'], request.body),
    );
    expect(() => new Webhook(secret).verify(`${request.body} `, headers)).toThrow();
    // No more than the one notification arrives.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(1);
    // The log says so: one delivered attempt, nothing of the body beyond ids, names and states.
    const [entry] = await logged(tested.body.notification_id, 1);
    expect(entry).toEqual({
      notification_id: tested.body.notification_id,
      type: 'channel.test',
      channel_id: channelId,
      monitor_id: 'test',
      monitor_name: 'Test notification',
      severity: 'critical',
      state: 'critical',
      status: 'delivered',
      attempt: 1,
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('rotates the secret: the new one signs, the old one still verifies during its grace period', async () => {
    const rotated = await call('POST', `${base}/${channelId}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(secret);
    expect(rotated.body.channel.previous_secret_expires_at).toEqual(expect.any(String));

    expect((await call('POST', `${base}/${channelId}/test`)).status).toBe(202);
    await receivedCount(2);
    const request = receiver.received[1];
    if (!request) throw new Error('nothing received');
    const headers = webhookHeadersOf(request);
    expect(new Webhook(fresh).verify(request.body, headers)).toBeTruthy();
    expect(new Webhook(secret).verify(request.body, headers)).toBeTruthy();
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
  });

  it('retries a failing receiver with the same webhook-id until it answers 2xx', async () => {
    receiver.statuses.push(503, 500);
    const tested = await call('POST', `${base}/${channelId}/test`);
    expect(tested.status).toBe(202);
    await receivedCount(5);
    const ids = receiver.received.slice(2).map((request) => webhookHeadersOf(request)['webhook-id']);
    expect(ids).toEqual([
      tested.body.notification_id,
      tested.body.notification_id,
      tested.body.notification_id,
    ]);
    expect(local.platform.controlPlane?.notifications.deadLetterQueue.depth().visible).toBe(0);
    const attempts = await logged(tested.body.notification_id, 3);
    expect(attempts.map(({ attempt, status, error }) => [attempt, status, error])).toEqual([
      [1, 'failed', 'the receiver answered 503'],
      [2, 'failed', 'the receiver answered 500'],
      [3, 'delivered', undefined],
    ]);
  });

  it('moves a delivery that fails every attempt to the dead-letter queue', async () => {
    receiver.statuses.push(500, 500, 500);
    expect((await call('POST', `${base}/${channelId}/test`)).status).toBe(202);
    await receivedCount(8);
    const dead = local.platform.controlPlane?.notifications.deadLetterQueue;
    await eventually(async () => {
      // The redrive happens on the receive after the last attempt.
      expect(dead?.depth().visible).toBe(1);
      return true;
    }, 10_000);
  });
});

describe('refused URLs', () => {
  it.each([
    ['a private address', 'https://10.0.0.1/hook'],
    ['the cloud metadata service', 'https://169.254.169.254/latest/meta-data/'],
    ['a private address in hex (0x0a.1 is 10.0.0.1)', 'https://0x0a.1/hook'],
    ['an IPv4-mapped IPv6 private address', 'https://[::ffff:192.168.0.1]/hook'],
    ['plain http to a public host', 'http://example.com/hook'],
  ])('refuses %s with 400 and stores nothing', async (_name, url) => {
    const before = (await call('GET', base)).body.length;
    const refused = await call('POST', base, { type: 'webhook', name: 'bad', url });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/url/);
    expect((await call('GET', base)).body).toHaveLength(before);
  });

  it('drops a delivery whose name resolves to a private address by then, and logs it as dropped', async () => {
    const created = await call('POST', base, {
      type: 'webhook',
      name: 'rebinding',
      url: `https://${REBINDING_HOST}/hook`,
    });
    expect(created.status).toBe(201);
    const tested = await call('POST', `${base}/${created.body.id}/test`);
    expect(tested.status).toBe(202);
    const [entry] = await logged(tested.body.notification_id, 1);
    expect(entry).toMatchObject({ channel_id: created.body.id, status: 'dropped', attempt: 1 });
    // The kind of address, never the address the name resolved to.
    expect(entry?.error).toMatch(/private/);
    expect(entry?.error).not.toContain('10.0.0.7');
    expect((await call('DELETE', `${base}/${created.body.id}`)).status).toBe(200);
  });

  it('refuses hostile bodies with 400', async () => {
    for (const body of [
      { type: 'fax', name: 'x', url: 'https://a.example/' },
      { type: 'webhook', name: '', url: 'https://a.example/' },
      { type: 'webhook', name: 'x' },
      { type: 'email', name: 'x', email: 'not an address' },
      { type: 'webhook', name: 'x', url: 'https://a.example/', severities: ['panic'] },
      { type: 'webhook', name: 'x', url: 'https://user:pass@a.example/' },
      { type: 'webhook', name: 'x', url: 'https://a.example/', extra: true },
    ]) {
      expect((await call('POST', base, body)).status).toBe(400);
    }
  });
});

describe('email channels and access', () => {
  it('writes an email notification to the local outbox', async () => {
    const created = await call('POST', base, { type: 'email', name: 'on call', email: 'oncall@example.com' });
    expect(created.status).toBe(201);
    expect(created.body.secret).toBeNull();
    expect((await call('POST', `${base}/${created.body.id}/test`)).status).toBe(202);
    const outbox = local.platform.controlPlane?.notifications.outboxDir as string;
    await eventually(async () => {
      expect(await readdir(outbox).catch(() => [])).toHaveLength(1);
      return true;
    }, 10_000);
    const [file] = await readdir(outbox);
    const email = await readFile(`${outbox}/${file}`, 'utf8');
    expect(email).toContain('To: oncall@example.com');
    expect(email).toMatch(/Subject: \[Waggle\] \[test\] Test notification is critical/);
  });

  it('sends Slack an incoming-webhook message (text and blocks), unsigned', async () => {
    const slack = await startWebhookReceiver();
    try {
      const created = await call('POST', base, {
        type: 'slack',
        name: 'team',
        url: `${slack.url}/services/T/B/X`,
      });
      expect(created.status).toBe(201);
      expect(
        (await call('GET', base)).body.find((channel: { id: string }) => channel.id === created.body.id).url,
      ).toBe(
        // Slack's URL is its credential: only the origin and the last 4 characters are shown.
        `${slack.url}/…/B/X`,
      );
      expect((await call('POST', `${base}/${created.body.id}/test`)).status).toBe(202);
      await eventually(async () => {
        expect(slack.received).toHaveLength(1);
        return true;
      }, 10_000);
      const message = JSON.parse(slack.received[0]?.body ?? '{}');
      expect(message).toMatchObject({
        text: expect.stringContaining('[test] Test notification'),
        blocks: expect.any(Array),
      });
      expect(slack.received[0]?.headers['webhook-signature']).toBeUndefined();
      expect((await call('DELETE', `${base}/${created.body.id}`)).status).toBe(200);
    } finally {
      await slack.close();
    }
  });

  it('pages the notification log newest first and refuses a forged cursor', async () => {
    const first = await call('GET', `${logUrl}?limit=1`);
    expect(first.body.entries).toHaveLength(1);
    const second = await call(
      'GET',
      `${logUrl}?limit=1&cursor=${encodeURIComponent(first.body.next_cursor)}`,
    );
    expect(second.body.entries).toHaveLength(1);
    expect(second.body.entries[0].at <= first.body.entries[0].at).toBe(true);
    expect(second.body.entries[0]).not.toEqual(first.body.entries[0]);
    expect((await call('GET', `${logUrl}?cursor=forged`)).status).toBe(400);
    expect((await call('GET', `${logUrl}?limit=1000`)).status).toBe(400);
    expect((await call('GET', logUrl, undefined, '')).status).toBe(401);
  });

  it('answers 401 without a sign-in, 404 for another project and a deleted channel', async () => {
    expect((await call('GET', base, undefined, '')).status).toBe(401);
    expect((await call('GET', base.replace(/projects\/[^/]+/, 'projects/nope'))).status).toBe(404);
    const created = await call('POST', base, { type: 'slack', name: 'slack', url: `${receiver.url}/slack` });
    expect(created.status).toBe(201);
    expect((await call('DELETE', `${base}/${created.body.id}`)).status).toBe(200);
    expect((await call('POST', `${base}/${created.body.id}/test`)).status).toBe(404);
    expect((await call('DELETE', `${base}/${created.body.id}`)).status).toBe(404);
  });
});
