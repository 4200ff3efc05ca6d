import { describe, expect, it } from 'vitest';
import { LocalSigner } from '../../../lambdas/adapters/local/local-signer';
import { issueToken } from '../../../lambdas/domain/tokens/issue-token';
import type { Signer } from '../../../lambdas/domain/tokens/signer';
import { createTokenCache, type TokenCacheKey } from '../../../lambdas/domain/tokens/token-cache';
import { SUBJECT } from './support';

function countingSigner(): Signer & { signatures: number } {
  const inner = LocalSigner.generate('key-1');
  return {
    keyId: inner.keyId,
    signatures: 0,
    publicKeyDer: () => inner.publicKeyDer(),
    async sign(message) {
      this.signatures++;
      return inner.sign(message);
    },
  };
}

function setup(refreshBeforeSeconds = 60) {
  const signer = countingSigner();
  const clock = { now: Date.UTC(2026, 10, 1) };
  const cache = createTokenCache(
    (key: TokenCacheKey) =>
      issueToken(signer, { ...SUBJECT, sub: key.sub, aud: key.aud }, { now: clock.now, ttlSeconds: 900 }),
    { refreshBeforeSeconds, clock: () => clock.now },
  );
  return { signer, clock, cache };
}

const KEY: TokenCacheKey = { sub: 'user-1', aud: 'dp-1', scope: 'ws-1|proj-a|member' };

describe('createTokenCache', () => {
  it('signs once for many requests until the token nears expiry, then signs again', async () => {
    const { signer, clock, cache } = setup(60);
    const first = await cache.get(KEY);
    for (let i = 0; i < 50; i++) expect((await cache.get(KEY)).token).toBe(first.token);
    expect(signer.signatures).toBe(1);
    clock.now += (900 - 61) * 1000;
    expect((await cache.get(KEY)).token).toBe(first.token);
    clock.now += 2000; // now under 60 s left
    const second = await cache.get(KEY);
    expect(second.token).not.toBe(first.token);
    expect(signer.signatures).toBe(2);
  });

  it('shares one signing between concurrent requests', async () => {
    const { signer, cache } = setup();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => cache.get(KEY)));
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(signer.signatures).toBe(1);
  });

  it('keeps tokens of different subjects, audiences and scopes apart', async () => {
    const { signer, cache } = setup();
    const keys = [
      KEY,
      { ...KEY, sub: 'user-2' },
      { ...KEY, aud: 'dp-2' },
      { ...KEY, scope: 'ws-1|proj-b|member' },
    ];
    const tokens = await Promise.all(keys.map((key) => cache.get(key)));
    expect(new Set(tokens.map((t) => t.token)).size).toBe(4);
    expect(signer.signatures).toBe(4);
  });

  it('does not confuse keys whose fields join to the same text', async () => {
    const { signer, cache } = setup();
    await cache.get({ sub: 'a|b', aud: 'c', scope: 's' });
    await cache.get({ sub: 'a', aud: 'b|c', scope: 's' });
    expect(signer.signatures).toBe(2);
  });

  it('does not remember a failed signing', async () => {
    let calls = 0;
    const inner = setup();
    const cache = createTokenCache(
      async (key) => {
        calls++;
        if (calls === 1) throw new Error('KMS throttled');
        return inner.cache.get(key);
      },
      { refreshBeforeSeconds: 60 },
    );
    await expect(cache.get(KEY)).rejects.toThrow('KMS throttled');
    await expect(cache.get(KEY)).resolves.toMatchObject({ token: expect.any(String) });
    expect(calls).toBe(2);
  });

  it('forgets a subject on demand (role changed), and only that subject', async () => {
    const { signer, cache } = setup();
    await cache.get(KEY);
    await cache.get({ ...KEY, sub: 'user-2' });
    cache.forget('user-1');
    await cache.get(KEY);
    await cache.get({ ...KEY, sub: 'user-2' });
    expect(signer.signatures).toBe(3);
  });
});
