/**
 * A MessageVerifier from the control plane's JWKS (the keys that sign tokens also sign sync
 * messages): fetched over https, cached, fetched again when a message names an unknown key (a
 * rotation), at most once per back-off so forged key ids cannot flood the control plane. An
 * unreachable JWKS throws (an outage: the message is retried), an unknown key is a bad signature.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { createEcdsaVerifier } from '../domain/sync/ecdsa';
import type { MessageVerifier } from '../domain/sync/signing';

interface JwksMessageVerifierOptions {
  /** Returns the parsed JWKS document. */
  fetchJwks: () => Promise<unknown>;
  refetchBackoffMs?: number;
  clock?: () => number;
}

export function createJwksMessageVerifier(options: JwksMessageVerifierOptions): MessageVerifier {
  const backoffMs = options.refetchBackoffMs ?? 10_000;
  const clock = options.clock ?? Date.now;
  let keys: Map<string, KeyObject> | undefined;
  let verifier: MessageVerifier | undefined;
  let lastFetch = Number.NEGATIVE_INFINITY;

  async function refresh(): Promise<void> {
    lastFetch = clock();
    keys = jwksToKeys(await options.fetchJwks());
    verifier = createEcdsaVerifier(keys);
  }

  return {
    async verify(data, signature, keyId) {
      if (!keys || (!keys.has(keyId) && clock() - lastFetch >= backoffMs)) await refresh();
      return verifier ? verifier.verify(data, signature, keyId) : false;
    },
  };
}

/** The P-256 signing keys of a JWKS by kid; other keys are skipped, a malformed document throws. */
function jwksToKeys(document: unknown): Map<string, KeyObject> {
  const list = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new Error('JWKS has no keys array');
  const keys = new Map<string, KeyObject>();
  for (const jwk of list as Record<string, unknown>[]) {
    if (jwk?.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.kid !== 'string') continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') continue;
    keys.set(
      jwk.kid,
      createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' }),
    );
  }
  return keys;
}

/** Fetches a JWKS over https with a timeout and a size limit. */
export async function fetchJwksOverHttps(url: string, timeoutMs = 5000): Promise<unknown> {
  if (!url.startsWith('https://')) throw new Error('the control plane JWKS must be fetched over https');
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!response.ok) throw new Error(`JWKS fetch answered ${response.status}`);
  const text = await response.text();
  if (text.length > 64 * 1024) throw new Error('JWKS is larger than 64 KiB');
  return JSON.parse(text) as unknown;
}
