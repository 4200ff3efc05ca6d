/**
 * The delivery path without a network: the retry policy, routing by project and severity, queueing
 * in SQS-sized batches, hostile queue messages, and what each receiver answer means. The signature
 * on a delivered webhook is checked with the standardwebhooks verifier.
 */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import type { ChannelRecord } from '../../../lambdas/domain/alerts/channel';
import { sealWebhookSecret } from '../../../lambdas/domain/alerts/channel-secrets';
import {
  type DeliveryPorts,
  deliverNotification,
  type WebhookRequest,
} from '../../../lambdas/domain/alerts/deliver';
import {
  NOTIFICATION_RETRY,
  queueDeliveries,
  readDeliveryMessage,
  retryDelaySeconds,
} from '../../../lambdas/domain/alerts/delivery-queue';
import { AWS_URL_POLICY } from '../../../lambdas/domain/alerts/delivery-target';
import { generateWebhookSecret } from '../../../lambdas/domain/alerts/webhook-signing';
import { ValidationError } from '../../../lambdas/domain/errors';
import { MemoryQueue } from '../../support/memory-ports';
import { aChannel, aNotification, NOW, plainSealer, stubResolver } from './alerts-fixtures';

describe('retry policy', () => {
  it('doubles from 30 s, capped, and hands over to the dead-letter queue after the last attempt', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelaySeconds(attempt))).toEqual([30, 60, 120, 240, 0]);
    expect(NOTIFICATION_RETRY.maxAttempts).toBe(5);
    expect(retryDelaySeconds(9, { maxAttempts: 20, baseSeconds: 30, maxSeconds: 900 })).toBe(900);
  });
});

describe('queueing', () => {
  it('queues one message per channel in batches of at most 10, each read back intact', async () => {
    const queue = new MemoryQueue();
    const channels = Array.from({ length: 23 }, (_, index) => aChannel({ id: `ch${index}` }));
    expect(await queueDeliveries(queue, aNotification(), channels)).toBe(23);
    expect(queue.batches.map((batch) => batch.length)).toEqual([10, 10, 3]);
    const read = queue.messages.map((message) => readDeliveryMessage(message.body));
    expect(read[22]).toEqual({ notification: aNotification(), channel: { org_id: 'org1', id: 'ch22' } });
  });

  it('a failed queue send rejects (the monitor then keeps its old state and tries again)', async () => {
    const queue = new MemoryQueue();
    queue.failSends = true;
    await expect(queueDeliveries(queue, aNotification(), [aChannel()])).rejects.toThrow(/outage/);
  });
});

describe('reading a delivery message', () => {
  it.each([
    ['not JSON', '{'],
    ['too large', JSON.stringify({ pad: 'x'.repeat(20_000) })],
    ['no channel', JSON.stringify({ notification: aNotification() })],
    [
      'a channel of another organization',
      JSON.stringify({ notification: aNotification(), channel: { org_id: 'org2', id: 'c' } }),
    ],
    [
      'a malformed notification',
      JSON.stringify({ notification: { id: 1 }, channel: { org_id: 'org1', id: 'c' } }),
    ],
  ])('refuses %s', (_name, body) => {
    expect(() => readDeliveryMessage(body)).toThrow(ValidationError);
  });
});

describe('a delivery', () => {
  const message = { notification: aNotification(), channel: { org_id: 'org1', id: 'ch1' } };
  const { resolver } = stubResolver({
    'hooks.example.com': ['93.184.216.34'],
    'events.pagerduty.com': ['44.1.1.1'],
  });

  function portsWith(
    channel: ChannelRecord | undefined,
    answer: number | Error,
    sent: WebhookRequest[] = [],
  ): DeliveryPorts {
    return {
      channels: { get: async () => channel as never },
      sealer: plainSealer,
      resolver,
      policy: AWS_URL_POLICY,
      transport: async (request) => {
        sent.push(request);
        if (answer instanceof Error) throw answer;
        return { status: answer };
      },
      email: async () => {},
      clock: () => NOW,
    };
  }

  it('signs a webhook with the channel secret (verified by the standardwebhooks verifier)', async () => {
    const secret = generateWebhookSecret();
    const channel = aChannel({ secret_sealed: await sealWebhookSecret(plainSealer, aChannel(), secret) });
    const sent: WebhookRequest[] = [];
    expect((await deliverNotification(portsWith(channel, 204, sent), message)).result).toBe('delivered');
    const [request] = sent;
    if (!request) throw new Error('nothing sent');
    expect(request.headers['webhook-id']).toBe('msg_1');
    expect(request.headers['webhook-timestamp']).toBe(String(NOW / 1000));
    // The verifier refuses timestamps more than 5 minutes off its clock: verify at the delivery's time.
    vi.useFakeTimers({ now: NOW });
    try {
      expect(new Webhook(secret).verify(request.body, { ...request.headers })).toMatchObject({
        type: 'monitor.state_changed',
        data: { notification_id: 'msg_1', value: 12, threshold: 10 },
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it.each([
    [200, 'delivered'],
    [202, 'delivered'],
    [301, 'dropped'],
    [302, 'dropped'],
    [400, 'dropped'],
    [404, 'dropped'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
  ] as const)('a receiver answer of %i is %s', async (status, result) => {
    expect((await deliverNotification(portsWith(aChannel(), status), message)).result).toBe(result);
  });

  it('retries a host that does not resolve now (DNS failures pass), but drops one that resolves to a forbidden address', async () => {
    const ports = portsWith(aChannel({ url: 'https://gone.example.com/x' }), 200);
    expect(await deliverNotification(ports, message)).toMatchObject({
      result: 'retry',
      reason: expect.stringMatching(/does not resolve/),
    });
    ports.resolver = stubResolver({ 'gone.example.com': ['10.9.9.9'] }).resolver;
    expect((await deliverNotification(ports, message)).result).toBe('dropped');
  });

  it('retries a network failure or timeout', async () => {
    expect(await deliverNotification(portsWith(aChannel(), new Error('ETIMEDOUT')), message)).toMatchObject({
      result: 'retry',
      reason: expect.stringMatching(/ETIMEDOUT/),
    });
  });

  it('drops a delivery to a channel that is gone or belongs to another project', async () => {
    const sent: WebhookRequest[] = [];
    expect((await deliverNotification(portsWith(undefined, 200, sent), message)).result).toBe('dropped');
    expect(
      (await deliverNotification(portsWith(aChannel({ project_id: 'p2' }), 200, sent), message)).result,
    ).toBe('dropped');
    expect(sent).toHaveLength(0);
  });

  it('sends Slack and PagerDuty shapes unsigned, and email through the sender', async () => {
    const sent: WebhookRequest[] = [];
    const slack = aChannel({ type: 'slack', format: undefined, url: 'https://hooks.example.com/services/x' });
    await deliverNotification(portsWith(slack, 200, sent), message);
    expect(JSON.parse(sent[0]?.body as string)).toMatchObject({
      text: expect.stringContaining('Model errors'),
    });
    expect(sent[0]?.headers).not.toHaveProperty('webhook-signature');
    const pd = aChannel({
      format: 'pagerduty',
      routing_key: 'R'.repeat(32),
      url: 'https://events.pagerduty.com/v2/enqueue',
      secret_sealed: await sealWebhookSecret(plainSealer, aChannel(), generateWebhookSecret()),
    });
    await deliverNotification(portsWith(pd, 202, sent), message);
    expect(JSON.parse(sent[1]?.body as string)).toMatchObject({
      event_action: 'trigger',
      routing_key: 'R'.repeat(32),
    });
    const emails: unknown[] = [];
    const ports = portsWith(
      aChannel({ type: 'email', url: undefined, email: 'oncall@example.com' }),
      200,
      sent,
    );
    ports.email = async (email) => {
      emails.push(email);
    };
    expect((await deliverNotification(ports, message)).result).toBe('delivered');
    expect(emails).toEqual([
      { to: 'oncall@example.com', subject: expect.stringMatching(/^\[Waggle\]/), text: expect.any(String) },
    ]);
    ports.email = async () => {
      throw new Error('Throttling');
    };
    expect((await deliverNotification(ports, message)).result).toBe('retry');
    ports.email = undefined;
    expect((await deliverNotification(ports, message)).result).toBe('dropped');
  });

  it('signs with the previous secret only within its grace period', async () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const sealed = (secret: string) => sealWebhookSecret(plainSealer, aChannel(), secret);
    const rotated = (expiresAt: number) =>
      aChannel({
        secret_sealed: '',
        previous_secret_expires_at: new Date(expiresAt).toISOString(),
      });
    const within = {
      ...rotated(NOW + 1000),
      secret_sealed: await sealed(current),
      previous_secret_sealed: await sealed(previous),
    };
    const after = {
      ...rotated(NOW - 1000),
      secret_sealed: await sealed(current),
      previous_secret_sealed: await sealed(previous),
    };
    const sent: WebhookRequest[] = [];
    await deliverNotification(portsWith(within, 200, sent), message);
    await deliverNotification(portsWith(after, 200, sent), message);
    expect(sent.map((request) => request.headers['webhook-signature']?.split(' ').length)).toEqual([2, 1]);
  });

  it('refuses to open a secret sealed for another channel', async () => {
    const secret = await sealWebhookSecret(
      plainSealer,
      { org_id: 'org1', id: 'another' },
      generateWebhookSecret(),
    );
    await expect(
      deliverNotification(portsWith(aChannel({ secret_sealed: secret }), 200), message),
    ).rejects.toThrow(/context/);
  });
});
