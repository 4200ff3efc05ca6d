import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, isWellFormedApiKey } from '../../lambdas/domain/auth/api-key';

describe('api keys', () => {
  it('generates distinct, well-formed keys with the wgl_ prefix', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a).toMatch(/^wgl_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}$/);
    expect(a).not.toBe(b);
    expect(isWellFormedApiKey(a)).toBe(true);
  });

  it('rejects keys whose checksum does not match', () => {
    const key = generateApiKey();
    const tampered = `${key.slice(0, 10)}${key[10] === 'A' ? 'B' : 'A'}${key.slice(11)}`;
    expect(isWellFormedApiKey(tampered)).toBe(false);
    expect(isWellFormedApiKey('wgl_short')).toBe(false);
  });

  it('hashes with lowercase hex SHA-256 of the whole key', () => {
    expect(hashApiKey('wgl_x')).toBe(createHash('sha256').update('wgl_x').digest('hex'));
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
