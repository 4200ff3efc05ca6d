/**
 * Standard Webhooks signing against two independent oracles: the spec's published example vector,
 * and the `standardwebhooks` package's own verifier on generated secrets, ids and bodies.
 */
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  signWebhook,
  webhookHeaders,
  webhookSecretBytes,
} from '../../../lambdas/domain/alerts/webhook-signing';

describe('Standard Webhooks signing', () => {
  it('matches the specification example vector', () => {
    expect(
      signWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('makes whsec_ secrets of 32 random bytes, each different', () => {
    const secrets = new Set(Array.from({ length: 50 }, generateWebhookSecret));
    expect(secrets.size).toBe(50);
    for (const secret of secrets) expect(webhookSecretBytes(secret).byteLength).toBe(32);
  });

  it("verifies with the standardwebhooks package's verifier, for any id and body", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ maxLength: 2000 }),
        (idPart, text) => {
          const secret = generateWebhookSecret();
          const id = `msg_${idPart.replace(/[^A-Za-z0-9]/g, 'x')}`;
          const body = JSON.stringify({ text });
          const timestamp = Math.floor(Date.now() / 1000);
          const headers = webhookHeaders([secret], id, timestamp, body);
          expect(new Webhook(secret).verify(body, headers)).toEqual({ text });
          // One changed byte of the body, another secret or another id: refused.
          expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
          expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
          expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': `${id}x` })).toThrow();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('signs with every secret of a rotation, each verifying on its own', () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = webhookHeaders([current, previous], 'msg_rot', timestamp, '{}');
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify('{}', headers)).toEqual({});
    expect(new Webhook(previous).verify('{}', headers)).toEqual({});
    expect(headers['webhook-timestamp']).toBe(String(timestamp));
  });

  it('refuses what is not a webhook secret', () => {
    for (const secret of [
      '',
      'whsec_',
      'secret',
      'whsec_c2hvcnQ=',
      'whsec_not base64!',
      `whsec_${'A'.repeat(200)}`,
    ])
      expect(() => webhookSecretBytes(secret), secret).toThrow(/not a webhook secret/);
  });
});
