import { describe, expect, it } from 'vitest';
import { LocalSigner } from '../../../lambdas/adapters/local/local-signer';
import { issueToken, TokenIssueError } from '../../../lambdas/domain/tokens/issue-token';
import { decodePart, es256Verifies, SUBJECT } from './support';

const NOW = Date.UTC(2026, 10, 1, 12, 0, 0, 750);

describe('issueToken', () => {
  const signer = LocalSigner.generate('key-1');

  it('builds an ES256 JWT with kid, the claims and a signature that verifies', async () => {
    const issued = await issueToken(signer, SUBJECT, { now: NOW, ttlSeconds: 600 });
    const [header, payload] = issued.token.split('.');
    expect(decodePart(header)).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'key-1' });
    const claims = decodePart(payload);
    const iat = Math.floor(NOW / 1000);
    expect(claims).toEqual({ ...SUBJECT, iat, nbf: iat, exp: iat + 600, jti: expect.any(String) });
    expect(issued.claims).toEqual(claims);
    expect(issued.expiresAt).toBe((iat + 600) * 1000);
    expect(es256Verifies(issued.token, await signer.publicKeyDer())).toBe(true);
  });

  it('gives every token its own jti', async () => {
    const a = await issueToken(signer, SUBJECT, { now: NOW, ttlSeconds: 60 });
    const b = await issueToken(signer, SUBJECT, { now: NOW, ttlSeconds: 60 });
    expect(a.claims.jti).not.toBe(b.claims.jti);
  });

  it('signs only the known claims, whatever else the caller passes', async () => {
    const sneaky = { ...SUBJECT, admin: true, exp: 9_999_999_999 };
    const { claims } = await issueToken(signer, sneaky, { now: NOW, ttlSeconds: 60 });
    expect(claims).not.toHaveProperty('admin');
    expect(claims.exp).toBe(Math.floor(NOW / 1000) + 60);
  });

  it('accepts the 900-second maximum', async () => {
    const { claims } = await issueToken(signer, SUBJECT, { now: NOW, ttlSeconds: 900 });
    expect(claims.exp - claims.iat).toBe(900);
  });

  it.each([901, 3600, 0, -1, 1.5, Number.NaN])(
    'refuses ttlSeconds %s without signing',
    async (ttlSeconds) => {
      let signed = 0;
      const counting = {
        ...signer,
        keyId: 'k',
        publicKeyDer: () => signer.publicKeyDer(),
        sign: async () => {
          signed++;
          return new Uint8Array();
        },
      };
      await expect(issueToken(counting, SUBJECT, { now: NOW, ttlSeconds })).rejects.toThrow(TokenIssueError);
      expect(signed).toBe(0);
    },
  );

  it.each([
    ['empty audience', { aud: '' }],
    ['empty subject', { sub: '' }],
    ['missing org', { org: undefined }],
    ['unknown role', { role: 'superuser' }],
    ['no projects', { projects: [] }],
    ['empty project id', { projects: ['proj-a', ''] }],
  ])('refuses a subject with %s', async (_name, change) => {
    const subject = { ...SUBJECT, ...change } as unknown as typeof SUBJECT;
    await expect(issueToken(signer, subject, { now: NOW, ttlSeconds: 60 })).rejects.toThrow(TokenIssueError);
  });

  it('fails when the signer returns something that is not a DER signature', async () => {
    const broken = {
      keyId: 'k',
      publicKeyDer: () => signer.publicKeyDer(),
      sign: async () => new Uint8Array(64),
    };
    await expect(issueToken(broken, SUBJECT, { now: NOW, ttlSeconds: 60 })).rejects.toThrow(/DER/);
  });
});
