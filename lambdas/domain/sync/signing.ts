/**
 * Signing and opening inbox messages. The control plane signs canonicalJson(message) with its
 * ECDSA P-256 key; the data plane opens a body only if the signature verifies, the message is
 * well formed, it is addressed to this data plane and it is neither too old nor from the future.
 * Every refusal names a reason (for logs and counters) and never carries the payload.
 */
import { CanonicalJsonError, canonicalJson, isPlainObject } from './canonical-json';
import { checkSyncMessage, type SignedSyncMessage, type SyncMessage, SyncMessageError } from './messages';

/** Signs bytes with ECDSA P-256 / SHA-256; returns the DER signature (what KMS Sign returns). */
export interface MessageSigner {
  readonly keyId: string;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** Checks a DER ECDSA P-256 / SHA-256 signature; false (not a throw) for an unknown keyId or a bad signature. */
export interface MessageVerifier {
  verify(data: Uint8Array, signature: Uint8Array, keyId: string): Promise<boolean>;
}

export type RejectReason =
  | 'malformed'
  | 'bad-signature'
  | 'invalid-message'
  | 'wrong-data-plane'
  | 'expired'
  | 'from-the-future';

type OpenResult = { ok: true; message: SyncMessage } | { ok: false; reason: RejectReason; detail: string };

interface OpenOptions {
  verifier: MessageVerifier;
  /** The data plane this controller serves; messages for any other are refused. */
  dataPlaneId: string;
  now: number;
  /** Older messages are refused: SQS keeps nothing past 14 days, so an older one is a replay. */
  maxAgeMs?: number;
  /** Tolerated clock difference between the planes. */
  maxSkewMs?: number;
}

export const DEFAULT_MAX_AGE_MS = 14 * 24 * 3600_000;
const DEFAULT_MAX_SKEW_MS = 5 * 60_000;
const SIGNATURE = /^[A-Za-z0-9_-]{16,256}$/;
const KEY_ID = /^[A-Za-z0-9._:/-]{1,256}$/;

export const encoder = new TextEncoder();

/** Checks the message, then signs it; refuses (throws SyncMessageError) anything a data plane would refuse. */
export async function signSyncMessage(
  message: SyncMessage,
  signer: MessageSigner,
): Promise<SignedSyncMessage> {
  const checked = checkSyncMessage(message);
  const signature = await signer.sign(encoder.encode(canonicalJson(checked)));
  return { message: checked, keyId: signer.keyId, signature: Buffer.from(signature).toString('base64url') };
}

/**
 * Parses and verifies one inbox body. The signature is checked over the parsed message before its
 * fields are trusted; a verifier that throws (an outage, not a verdict) propagates so the caller retries.
 */
export async function openSignedSyncMessage(body: string, options: OpenOptions): Promise<OpenResult> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return reject('malformed', 'body is not JSON');
  }
  if (!isPlainObject(parsed)) return reject('malformed', 'body is not an object');
  const { message, keyId, signature } = parsed;
  if (Object.keys(parsed).length !== 3)
    return reject('malformed', 'body must hold message, keyId, signature');
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) return reject('malformed', 'bad keyId');
  if (typeof signature !== 'string' || !SIGNATURE.test(signature))
    return reject('malformed', 'bad signature');
  if (!isPlainObject(message)) return reject('malformed', 'message is not an object');
  let signed: string;
  try {
    signed = canonicalJson(message);
  } catch (error) {
    if (error instanceof CanonicalJsonError) return reject('malformed', error.message);
    throw error;
  }
  const valid = await options.verifier.verify(
    encoder.encode(signed),
    Buffer.from(signature, 'base64url'),
    keyId,
  );
  if (!valid) return reject('bad-signature', `signature does not verify under key ${keyId}`);
  let checked: SyncMessage;
  try {
    checked = checkSyncMessage(message);
  } catch (error) {
    if (error instanceof SyncMessageError) return reject('invalid-message', error.message);
    throw error;
  }
  if (checked.dataPlaneId !== options.dataPlaneId)
    return reject('wrong-data-plane', `addressed to data plane ${checked.dataPlaneId}`);
  if (checked.issuedAt < options.now - (options.maxAgeMs ?? DEFAULT_MAX_AGE_MS))
    return reject('expired', 'issued before the replay window');
  if (checked.issuedAt > options.now + (options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS))
    return reject('from-the-future', 'issued after now plus the allowed clock skew');
  return { ok: true, message: checked };
}

function reject(reason: RejectReason, detail: string): OpenResult {
  return { ok: false, reason, detail };
}
