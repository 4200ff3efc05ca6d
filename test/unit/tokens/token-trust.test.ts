import { describe, expect, it } from 'vitest';
import { tokenVerifierFromEnvironment } from '../../../lambdas/adapters/aws/control-plane-token-trust';

describe('tokenVerifierFromEnvironment', () => {
  it('accepts API keys only when no control plane is configured', () => {
    expect(tokenVerifierFromEnvironment({})).toBeUndefined();
  });

  it('builds a verifier when issuer, JWKS and data plane id are all set', () => {
    const verifier = tokenVerifierFromEnvironment({
      CONTROL_PLANE_ISSUER: 'https://cp.example.com',
      CONTROL_PLANE_JWKS_URL: 'https://cp.example.com/.well-known/jwks.json',
      DATA_PLANE_ID: 'eu',
    });
    expect(typeof verifier).toBe('function');
  });

  it('refuses a half-configured trust instead of silently accepting only keys', () => {
    expect(() => tokenVerifierFromEnvironment({ CONTROL_PLANE_ISSUER: 'https://cp.example.com' })).toThrow(
      /CONTROL_PLANE_JWKS_URL/,
    );
  });
});
