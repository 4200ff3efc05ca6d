/**
 * Webhook signing secrets at rest: sealed with the SecretSealer (the AWS Encryption SDK on a KMS
 * key on AWS, on a local key file locally), bound by the encryption context to the organization
 * and the channel, so a sealed secret copied onto another channel's record does not open. Only the
 * sender opens them; the API seals and never opens.
 */
import type { SecretSealer } from '../providers/ports';
import type { SealContext } from '../providers/record';
import type { ChannelRecord } from './channel';

/** The purpose entry of every channel secret's context; also the KMS key policy's condition value. */
export const CHANNEL_SECRET_PURPOSE = 'waggle-channel-secret';

function contextOf(channel: Pick<ChannelRecord, 'org_id' | 'id'>): SealContext {
  return { purpose: CHANNEL_SECRET_PURPOSE, org: channel.org_id, channel: channel.id };
}

export async function sealWebhookSecret(
  sealer: SecretSealer,
  channel: Pick<ChannelRecord, 'org_id' | 'id'>,
  secret: string,
): Promise<string> {
  const sealed = await sealer.seal(new TextEncoder().encode(secret), contextOf(channel));
  return Buffer.from(sealed).toString('base64');
}

/** The secrets that sign a delivery now: the current one, and the previous one within its grace period. */
export async function openSigningSecrets(
  sealer: SecretSealer,
  channel: ChannelRecord,
  now: number,
): Promise<string[]> {
  const open = async (sealed: string) =>
    new TextDecoder().decode(await sealer.open(Buffer.from(sealed, 'base64'), contextOf(channel)));
  const secrets: string[] = [];
  if (channel.secret_sealed !== undefined) secrets.push(await open(channel.secret_sealed));
  const expires = channel.previous_secret_expires_at;
  if (channel.previous_secret_sealed !== undefined && expires !== undefined && Date.parse(expires) > now)
    secrets.push(await open(channel.previous_secret_sealed));
  return secrets;
}
