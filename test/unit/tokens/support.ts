import { createPublicKey, verify } from 'node:crypto';
import type { TokenSubject } from '../../../lambdas/domain/tokens/claims';

export const SUBJECT: TokenSubject = {
  iss: 'https://cp.waggle.test',
  aud: 'dp-eu-west-1',
  sub: 'user-1',
  org: 'org-1',
  workspace: 'ws-1',
  projects: ['proj-a'],
  role: 'member',
};

export function decodePart(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Verifies a compact ES256 JWS with node:crypto alone (no JWT library in the way). */
export function es256Verifies(token: string, spki: Uint8Array): boolean {
  const [header, payload, signature] = token.split('.');
  return verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    {
      key: createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }),
      dsaEncoding: 'ieee-p1363',
    },
    Buffer.from(signature ?? '', 'base64url'),
  );
}
