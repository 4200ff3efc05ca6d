/**
 * The channels API over the control plane's fixture (org A with a user of each role, project alpha
 * in workspace w1): who may do what, that a refused call (403, 400) stores and queues nothing, that
 * the secret is shown once and stored sealed (the Encryption SDK with a local key), rotation and
 * the test route's queued delivery.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localSecretSealer } from '../../../lambdas/adapters/local/local-secret-sealer';
import { openSigningSecrets } from '../../../lambdas/domain/alerts/channel-secrets';
import { MAX_CHANNELS_PER_PROJECT } from '../../../lambdas/domain/alerts/channels';
import { readDeliveryMessage } from '../../../lambdas/domain/alerts/delivery-queue';
import { AWS_URL_POLICY } from '../../../lambdas/domain/alerts/delivery-target';
import { MemoryNotificationLog } from '../../../lambdas/domain/alerts/memory-notification-log';
import { logEntryOf } from '../../../lambdas/domain/alerts/notification-log';
import type { SecretSealer } from '../../../lambdas/domain/providers/ports';
import { jwtAuthorizerActor } from '../../../lambdas/http/jwt-authorizer-actor';
import { createNotificationsApi } from '../../../lambdas/notifications-api/app';
import { MemoryQueue } from '../../support/memory-ports';
import { bodyOf, buildFixture, type Fixture, request } from '../control-plane/fixture';
import { aNotification, NOW, stubResolver } from './alerts-fixtures';

let dataDir: string;
let sealer: SecretSealer;
let fixture: Fixture;
let queue: MemoryQueue;
let log: MemoryNotificationLog;
let api: ReturnType<typeof createNotificationsApi>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waggle-channels-'));
  sealer = await localSecretSealer(dataDir);
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

beforeEach(async () => {
  fixture = await buildFixture();
  queue = new MemoryQueue();
  log = new MemoryNotificationLog(() => NOW);
  api = createNotificationsApi({
    log,
    context: fixture.context,
    sealer,
    resolver: stubResolver({ 'hooks.example.com': ['93.184.216.34'], 'internal.example.com': ['10.0.0.2'] })
      .resolver,
    policy: AWS_URL_POLICY,
    queue,
    emailEnabled: false,
    actorFrom: jwtAuthorizerActor(fixture.store),
  });
});

const path = (suffix = '') => `/v1/projects/${fixture.projectId}/channels${suffix}`;
const WEBHOOK = { type: 'webhook', name: 'hook', url: 'https://hooks.example.com/waggle' };

async function call(method: string, suffix: string, user: string | undefined, body?: unknown) {
  const result = await api(request({ method, path: path(suffix), user, body }));
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  return { status: result.statusCode, body: bodyOf(result) as any };
}

async function channelRecords() {
  return (await fixture.store.listByOrg('channel', fixture.orgA)).map((channel) => channel.id);
}

describe('who may do what', () => {
  it.each([
    ['owner', 201],
    ['admin', 201],
    ['ws-admin', 201],
    ['member', 403],
    ['viewer', 403],
    ['outsider', 403],
    [undefined, 401],
  ] as const)('create as %s: %i', async (user, status) => {
    expect((await call('POST', '', user, WEBHOOK)).status).toBe(status);
    expect(await channelRecords()).toHaveLength(status === 201 ? 1 : 0);
  });

  it('members list, viewers may not; another organization sees nothing of it', async () => {
    await call('POST', '', 'admin', WEBHOOK);
    expect((await call('GET', '', 'member', undefined)).body).toHaveLength(1);
    expect((await call('GET', '', 'viewer', undefined)).status).toBe(403);
    expect((await call('GET', '', 'other', undefined)).status).toBe(404);
  });

  it('checks the caller before the body: a member learns nothing from a bad body', async () => {
    expect((await call('POST', '', 'member', { type: 'fax' })).status).toBe(403);
    expect((await call('POST', '', 'admin', { type: 'fax' })).status).toBe(400);
  });
});

describe('channels', () => {
  it('shows the secret once and stores it sealed, bound to the channel', async () => {
    const created = await call('POST', '', 'admin', WEBHOOK);
    const secret = created.body.secret as string;
    const [stored] = await fixture.store.listByOrg('channel', fixture.orgA);
    if (!stored) throw new Error('not stored');
    expect(JSON.stringify(stored)).not.toContain(secret.slice(6));
    expect(await openSigningSecrets(sealer, stored, Date.now())).toEqual([secret]);
    const listed = await call('GET', '', 'admin', undefined);
    expect(JSON.stringify(listed.body)).not.toContain(secret.slice(6));
    await expect(openSigningSecrets(sealer, { ...stored, id: 'another' }, Date.now())).rejects.toThrow();
  });

  it('refuses an SSRF URL with 400 and stores nothing', async () => {
    for (const url of [
      'https://internal.example.com/x',
      'https://[::ffff:10.0.0.1]/',
      'http://hooks.example.com/',
    ]) {
      const refused = await call('POST', '', 'admin', { ...WEBHOOK, url });
      expect(refused.status, url).toBe(400);
    }
    expect(await channelRecords()).toEqual([]);
  });

  it('refuses email channels when no email sender is configured', async () => {
    const refused = await call('POST', '', 'admin', { type: 'email', name: 'e', email: 'a@example.com' });
    expect(refused).toMatchObject({ status: 400, body: { error: expect.stringMatching(/no email sender/) } });
  });

  it('rotates a webhook secret and refuses to rotate a Slack channel', async () => {
    const created = await call('POST', '', 'admin', WEBHOOK);
    const rotated = await call('POST', `/${created.body.id}/rotate-secret`, 'admin');
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    const [stored] = await fixture.store.listByOrg('channel', fixture.orgA);
    // Both sign within the grace period; the old one stops after it.
    const now = fixture.context.clock();
    expect(await openSigningSecrets(sealer, stored as never, now)).toEqual([
      rotated.body.secret,
      created.body.secret,
    ]);
    expect(await openSigningSecrets(sealer, stored as never, now + 24 * 3600_000 + 1)).toEqual([
      rotated.body.secret,
    ]);
    expect((await call('POST', `/${created.body.id}/rotate-secret`, 'member')).status).toBe(403);
    const slack = await call('POST', '', 'admin', {
      type: 'slack',
      name: 's',
      url: 'https://hooks.example.com/s',
    });
    expect(slack.body.secret).toBeNull();
    expect((await call('POST', `/${slack.body.id}/rotate-secret`, 'admin')).status).toBe(400);
  });

  it('queues one test delivery for the channel, and nothing for an unknown or deleted one', async () => {
    const created = await call('POST', '', 'admin', { ...WEBHOOK, severities: ['resolution'] });
    const tested = await call('POST', `/${created.body.id}/test`, 'admin');
    expect(tested).toMatchObject({
      status: 202,
      body: { queued: true, notification_id: expect.stringMatching(/^msg_/) },
    });
    expect(queue.messages).toHaveLength(1);
    const message = readDeliveryMessage(queue.messages[0]?.body as string);
    expect(message).toMatchObject({
      channel: { org_id: fixture.orgA, id: created.body.id },
      notification: { type: 'channel.test', id: tested.body.notification_id, project_id: fixture.projectId },
    });
    expect((await call('DELETE', `/${created.body.id}`, 'member')).status).toBe(403);
    expect((await call('DELETE', `/${created.body.id}`, 'admin')).status).toBe(200);
    expect((await call('POST', `/${created.body.id}/test`, 'admin')).status).toBe(404);
    expect((await call('POST', '/nope/test', 'admin')).status).toBe(404);
    expect(queue.messages).toHaveLength(1);
  });

  it(`holds at most ${MAX_CHANNELS_PER_PROJECT} channels per project`, async () => {
    for (let index = 0; index < MAX_CHANNELS_PER_PROJECT; index++)
      expect((await call('POST', '', 'admin', { ...WEBHOOK, name: `h${index}` })).status).toBe(201);
    expect((await call('POST', '', 'admin', WEBHOOK)).status).toBe(400);
    expect(await channelRecords()).toHaveLength(MAX_CHANNELS_PER_PROJECT);
  });

  it('refuses oversized and malformed bodies', async () => {
    expect(
      (await api(request({ method: 'POST', path: path(), user: 'admin', body: 'x'.repeat(300_000) })))
        .statusCode,
    ).toBe(413);
    expect((await call('POST', '', 'admin', [WEBHOOK])).status).toBe(400);
  });
});

describe('the notification log', () => {
  const logPath = () => `/v1/projects/${fixture.projectId}/notifications`;
  const read = async (user: string | undefined, query: Record<string, string> = {}) => {
    const result = await api(request({ method: 'GET', path: logPath(), user, query }));
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
    return { status: result.statusCode, body: bodyOf(result) as any };
  };
  const append = async (index: number, projectId = fixture.projectId) => {
    const notification = aNotification({ id: `msg_${index}`, org_id: fixture.orgA, project_id: projectId });
    const message = { notification, channel: { org_id: fixture.orgA, id: 'ch1' } };
    await log.append(
      notification,
      logEntryOf(message, { result: 'retry', reason: 'the receiver answered 503' }, 1, NOW - index * 1000),
    );
  };

  it('lists newest first, a page at a time, to members only', async () => {
    for (let index = 1; index <= 5; index++) await append(index);
    await append(9, 'another-project');
    const first = await read('member', { limit: '2' });
    expect(first.status).toBe(200);
    expect(first.body.entries.map((entry: { notification_id: string }) => entry.notification_id)).toEqual([
      'msg_1',
      'msg_2',
    ]);
    expect(first.body.entries[0]).toMatchObject({ status: 'failed', error: 'the receiver answered 503' });
    const second = await read('member', { limit: '2', cursor: first.body.next_cursor });
    expect(second.body.entries.map((entry: { notification_id: string }) => entry.notification_id)).toEqual([
      'msg_3',
      'msg_4',
    ]);
    const last = await read('member', { limit: '2', cursor: second.body.next_cursor });
    expect(last.body).toMatchObject({ entries: [{ notification_id: 'msg_5' }], next_cursor: null });
    expect((await read('viewer')).status).toBe(403);
    expect((await read('other')).status).toBe(404);
    expect((await read(undefined)).status).toBe(401);
  });

  it('refuses a bad limit or a cursor it did not give', async () => {
    await append(1);
    for (const limit of ['0', '101', '-1', '1.5', 'ten', '99999'])
      expect((await read('member', { limit })).status, limit).toBe(400);
    for (const cursor of [
      'nope',
      Buffer.from('2026-12-04T10:00:00.000Z').toString('base64url'),
      'x'.repeat(2000),
    ])
      expect((await read('member', { cursor })).status, cursor.slice(0, 20)).toBe(400);
    expect((await read('member')).body.entries).toHaveLength(1);
  });
});
