/**
 * The brute-force limit of the request authenticator: every kind of failed authentication (no or
 * malformed header, bad key, bad token) spends one budget per source; past it the source gets 429
 * with Retry-After before any key lookup or token verification. Real key authenticator and token
 * verifier, with their registry reads and verifications counted.
 */
import { describe, expect, it } from 'vitest';
import { LocalSigner } from '../../../lambdas/adapters/local/local-signer';
import { generateApiKey, hashApiKey } from '../../../lambdas/domain/auth/api-key';
import { createAuthenticator } from '../../../lambdas/domain/auth/authenticate';
import { createRequestAuthenticator } from '../../../lambdas/domain/auth/authenticate-request';
import type { ApiKeyRecord } from '../../../lambdas/domain/auth/principal';
import { createMemoryRateLimiter, type RateLimiter } from '../../../lambdas/domain/auth/rate-limit';
import { createTokenVerifier, type TokenVerifier } from '../../../lambdas/domain/auth/token-verifier';
import { UnavailableError } from '../../../lambdas/domain/errors';
import type { TokenSubject } from '../../../lambdas/domain/tokens/claims';
import { issueToken } from '../../../lambdas/domain/tokens/issue-token';
import { keyRingJwks } from '../../../lambdas/domain/tokens/jwks';
import { httpErrorOf } from '../../../lambdas/http/errors';
import { MemoryKeyRegistry } from '../../support/memory-ports';
import { SUBJECT } from '../tokens/support';

const POLICY = { limit: 3, windowMs: 60_000 };
const SOURCE = '203.0.113.9';
const NEIGHBOUR = '198.51.100.7';
const START = 10_000;

const signer = LocalSigner.generate('key-1');
/** Same kid as the published key, different key pair: its signatures do not verify. */
const impostor = LocalSigner.generate('key-1');

const KEYS = {
  good: generateApiKey(),
  revoked: generateApiKey(),
  expired: generateApiKey(),
  readOnly: generateApiKey(),
};

function record(key: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    keyHash: hashApiKey(key),
    org_id: 'org-1',
    workspace_id: 'ws-1',
    project_id: 'proj-a',
    projectName: 'Project A',
    scopes: ['ingest', 'read'],
    revoked: false,
    createdAt: 0,
    ...overrides,
  };
}

const token = (subject: Partial<TokenSubject> = {}, signedBy = signer, issuedAt = Date.now()) =>
  issueToken(signedBy, { ...SUBJECT, ...subject }, { now: issuedAt, ttlSeconds: 60 }).then((t) => t.token);

interface Options {
  tokens?: 'verify' | 'none' | 'outage';
  rateLimiter?: RateLimiter;
}

async function setup(options: Options = {}) {
  let now = START;
  const clock = () => now;
  const registry = new MemoryKeyRegistry();
  await registry.put(record(KEYS.good));
  await registry.put(record(KEYS.revoked, { revoked: true }));
  await registry.put(record(KEYS.expired, { expiresAt: START - 1 }));
  await registry.put(record(KEYS.readOnly, { scopes: ['read'] }));
  const verifier = createTokenVerifier({
    issuer: SUBJECT.iss,
    audience: SUBJECT.aud,
    jwks: { fetch: async () => keyRingJwks({ current: signer }) },
  });
  let verifications = 0;
  const counted: TokenVerifier = (presented) => {
    verifications++;
    return options.tokens === 'outage'
      ? Promise.reject(new UnavailableError('Cannot verify tokens right now', 5))
      : verifier(presented);
  };
  const authenticate = createRequestAuthenticator({
    apiKeys: createAuthenticator(registry, { clock, negativeTtlMs: 0 }),
    tokens: options.tokens === 'none' ? undefined : counted,
    failures: { clock, failureLimit: POLICY, rateLimiter: options.rateLimiter },
  });
  const attempt = (authorization: string | undefined, source = SOURCE, scope: 'ingest' | 'read' = 'ingest') =>
    authenticate(authorization, { scope, clientId: source }).then(
      () => ({ status: 200, retryAfter: undefined }),
      (error: unknown) => {
        // Answered over HTTP as the edge maps the domain's refusal.
        const refusal = httpErrorOf(error);
        if (!refusal) throw error;
        return { status: refusal.status, retryAfter: refusal.headers?.['Retry-After'] };
      },
    );
  return {
    attempt,
    authenticate,
    lookups: () => registry.lookups,
    verifications: () => verifications,
    setNow: (value: number) => {
      now = value;
    },
  };
}

const goodKey = KEYS.good;
const wrongChecksum = `${goodKey.slice(0, -1)}${goodKey.endsWith('A') ? 'B' : 'A'}`;

/** A failure kind: its name, the Authorization header it sends, and the status it is refused with. */
type FailureKind = [string, () => Promise<string | undefined>, number];

const FAILURE_KINDS: FailureKind[] = [
  ['no Authorization header', async () => undefined, 401],
  ['an empty header', async () => '', 401],
  ['another scheme', async () => `Basic ${goodKey}`, 401],
  ['a bearer value that is neither key nor token', async () => 'Bearer opaque-guess', 401],
  ['an oversized key', async () => `Bearer wgl_${'k'.repeat(300)}`, 401],
  ['a key with a bad checksum', async () => `Bearer ${wrongChecksum}`, 401],
  ['an unknown key', async () => `Bearer ${generateApiKey()}`, 401],
  ['a revoked key', async () => `Bearer ${KEYS.revoked}`, 403],
  ['an expired key', async () => `Bearer ${KEYS.expired}`, 403],
  ['a malformed token', async () => 'Bearer aaa.bbb.ccc', 401],
  ['a token with a forged signature', async () => `Bearer ${await token({}, impostor)}`, 401],
  ['an expired token', async () => `Bearer ${await token({}, signer, Date.now() - 120_000)}`, 401],
  ['a token for another data plane', async () => `Bearer ${await token({ aud: 'dp-other' })}`, 401],
];

describe('brute-force limit of the request authenticator', () => {
  it.each(FAILURE_KINDS)(
    'counts %s, then answers 429 before any lookup or verification',
    async (_kind, header, status) => {
      const plane = await setup();
      for (let i = 0; i < POLICY.limit; i++) {
        expect(await plane.attempt(await header())).toEqual({ status, retryAfter: undefined });
      }
      const [lookups, verifications] = [plane.lookups(), plane.verifications()];
      plane.setNow(START + 5_000);
      expect(await plane.attempt(await header())).toEqual({ status: 429, retryAfter: '45' });
      // Blocked means blocked: the source's valid key and valid token wait too, unexamined.
      expect((await plane.attempt(`Bearer ${goodKey}`)).status).toBe(429);
      expect((await plane.attempt(`Bearer ${await token()}`)).status).toBe(429);
      expect(await plane.attempt(undefined)).toEqual({ status: 429, retryAfter: '45' });
      expect([plane.lookups(), plane.verifications()]).toEqual([lookups, verifications]);
      // Other sources are not affected; the blocked source is let in when the window ends.
      expect((await plane.attempt(`Bearer ${goodKey}`, NEIGHBOUR)).status).toBe(200);
      plane.setNow(POLICY.windowMs);
      expect((await plane.attempt(`Bearer ${goodKey}`)).status).toBe(200);
    },
  );

  it('counts a token sent where no tokens are accepted', async () => {
    const plane = await setup({ tokens: 'none' });
    const jwt = `Bearer ${await token()}`;
    for (let i = 0; i < POLICY.limit; i++) expect((await plane.attempt(jwt)).status).toBe(401);
    expect((await plane.attempt(`Bearer ${goodKey}`)).status).toBe(429);
  });

  it('spends one budget per source across every kind of failure', async () => {
    const plane = await setup();
    expect((await plane.attempt(undefined)).status).toBe(401);
    expect((await plane.attempt(`Bearer ${generateApiKey()}`)).status).toBe(401);
    expect((await plane.attempt(`Bearer ${await token({}, impostor)}`)).status).toBe(401);
    expect((await plane.attempt('Bearer aaa.bbb.ccc')).status).toBe(429);
  });

  it('never counts successful requests, by key or by token', async () => {
    const plane = await setup();
    const valid = `Bearer ${await token()}`;
    for (let i = 0; i < POLICY.limit * 3; i++) {
      expect((await plane.attempt(`Bearer ${goodKey}`)).status).toBe(200);
      expect((await plane.attempt(valid)).status).toBe(200);
    }
    for (let i = 0; i < POLICY.limit; i++) expect((await plane.attempt(undefined)).status).toBe(401);
    expect((await plane.attempt(undefined)).status).toBe(429);
  });

  it('does not count a valid credential refused for its scope or project, nor a bad request', async () => {
    const plane = await setup();
    const viewer = `Bearer ${await token({ role: 'viewer' })}`;
    const multi = `Bearer ${await token({ projects: ['proj-a', 'proj-b'] })}`;
    for (let i = 0; i < POLICY.limit + 2; i++) {
      expect((await plane.attempt(`Bearer ${KEYS.readOnly}`)).status).toBe(403);
      expect((await plane.attempt(viewer)).status).toBe(403);
      expect((await plane.attempt(multi)).status).toBe(400);
      const otherProject = plane.authenticate(`Bearer ${goodKey}`, {
        scope: 'ingest',
        projectId: 'proj-b',
        clientId: SOURCE,
      });
      await expect(otherProject).rejects.toMatchObject({ kind: 'forbidden' });
    }
    expect((await plane.attempt(`Bearer ${goodKey}`)).status).toBe(200);
  });

  it('does not count a token verifier outage (503)', async () => {
    const plane = await setup({ tokens: 'outage' });
    const jwt = `Bearer ${await token()}`;
    for (let i = 0; i < POLICY.limit + 2; i++) expect((await plane.attempt(jwt)).status).toBe(503);
    expect((await plane.attempt(`Bearer ${goodKey}`)).status).toBe(200);
  });

  it('answers 503 and examines nothing when the rate limiter cannot answer', async () => {
    const down: RateLimiter = {
      hit: () => Promise.reject(new Error('limiter down')),
      peek: () => Promise.reject(new Error('limiter down')),
    };
    const plane = await setup({ rateLimiter: down });
    expect(await plane.attempt(`Bearer ${goodKey}`)).toEqual({ status: 503, retryAfter: '5' });
    expect((await plane.attempt(`Bearer ${await token()}`)).status).toBe(503);
    expect([plane.lookups(), plane.verifications()]).toEqual([0, 0]);
  });

  it('shares the budget between authenticators (ingest and query) given one rate limiter', async () => {
    const rateLimiter = createMemoryRateLimiter({ clock: () => START });
    const [ingest, query] = [await setup({ rateLimiter }), await setup({ rateLimiter })];
    for (let i = 0; i < POLICY.limit; i++) {
      expect((await query.attempt(`Bearer ${generateApiKey()}`, SOURCE, 'read')).status).toBe(401);
    }
    expect((await ingest.attempt(`Bearer ${goodKey}`)).status).toBe(429);
    expect(ingest.lookups()).toBe(0);
  });
});
