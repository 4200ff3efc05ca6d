/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, "Signature scheme"): the secret is
 * `whsec_` + base64 of random bytes; each message carries `webhook-id` (the same on every retry, so
 * receivers drop duplicates), `webhook-timestamp` (integer seconds) and `webhook-signature`:
 * space-separated `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" keyed with the secret's bytes>`.
 * During a rotation's grace period both secrets sign, so a receiver holding either one verifies.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { ValidationError } from '../errors';

export const SECRET_PREFIX = 'whsec_';
/** The spec asks for 24 to 64 bytes; 32 is HMAC-SHA256's block-sized sweet spot. */
const SECRET_BYTES = 32;

export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** The key bytes of a `whsec_` secret (the base64 after the prefix). */
export function webhookSecretBytes(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : '';
  const bytes = Buffer.from(encoded, 'base64');
  if (
    encoded === '' ||
    bytes.toString('base64') !== encoded ||
    bytes.byteLength < 24 ||
    bytes.byteLength > 64
  ) {
    throw new ValidationError('not a webhook secret (whsec_ and base64 of 24 to 64 bytes)');
  }
  return bytes;
}

/** One `v1,<base64>` signature of the message. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', webhookSecretBytes(secret))
    .update(`${id}.${timestampSeconds}.${body}`, 'utf8')
    .digest('base64');
  return `v1,${mac}`;
}

/** The three Standard Webhooks headers, signed with every given secret (current first). */
export function webhookHeaders(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string } {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((secret) => signWebhook(secret, id, timestampSeconds, body)).join(' '),
  };
}
