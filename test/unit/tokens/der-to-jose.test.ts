import { generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derToJose, MalformedSignatureError } from '../../../lambdas/domain/tokens/der-to-jose';

const keys = Array.from({ length: 6 }, () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }));

function joseVerifies(message: Uint8Array, jose: Uint8Array, publicKey: KeyObject): boolean {
  return verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose);
}

describe('derToJose', () => {
  it('turns any node:crypto DER signature into a 64-byte signature that verifies as IEEE P1363', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: keys.length - 1 }),
        fc.uint8Array({ maxLength: 512 }),
        (k, message) => {
          const { privateKey, publicKey } = keys[k] as (typeof keys)[number];
          const jose = derToJose(sign('sha256', message, { key: privateKey, dsaEncoding: 'der' }));
          expect(jose).toHaveLength(64);
          expect(joseVerifies(message, jose, publicKey)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('left-pads r and s shorter than 32 bytes (DER drops their leading zero bytes)', () => {
    const { privateKey, publicKey } = keys[0] as (typeof keys)[number];
    let shortSeen = 0;
    // About 1 in 128 signatures has an r or s under 32 bytes; sign until a few have been seen.
    for (let i = 0; i < 20_000 && shortSeen < 3; i++) {
      const message = Buffer.from(`message ${i}`);
      const der = sign('sha256', message, { key: privateKey, dsaEncoding: 'der' });
      const rLength = der[3] as number;
      const sLength = der[4 + rLength + 1] as number;
      if (rLength >= 32 && sLength >= 32) continue;
      shortSeen++;
      expect(joseVerifies(message, derToJose(der), publicKey)).toBe(true);
    }
    expect(shortSeen).toBe(3);
  });

  it('handles the 0x00 padding byte of a high-bit r and s', () => {
    const r = new Uint8Array(32).fill(0xff);
    const s = new Uint8Array(32).fill(0x80);
    const der = Uint8Array.from([0x30, 70, 0x02, 33, 0, ...r, 0x02, 33, 0, ...s]);
    expect(Array.from(derToJose(der))).toEqual([...r, ...s]);
  });

  const r = [0x02, 2, 0x01, 0x02];
  const s = [0x02, 1, 0x05];
  const wellFormed = [0x30, r.length + s.length, ...r, ...s];
  it('accepts the minimal well-formed case it is checked against below', () => {
    expect(Array.from(derToJose(Uint8Array.from(wellFormed)).subarray(30, 33))).toEqual([1, 2, 0]);
  });

  it.each([
    ['empty input', []],
    ['not a SEQUENCE', [0x31, ...wellFormed.slice(1)]],
    ['SEQUENCE length too long', [0x30, wellFormed.length, ...wellFormed.slice(2)]],
    ['long-form length', [0x30, 0x81, wellFormed.length - 2, ...wellFormed.slice(2)]],
    ['trailing byte', [0x30, r.length + s.length + 1, ...r, ...s, 0]],
    ['missing s', [0x30, r.length + 2, ...r, 0x05, 0x00]],
    ['r not an INTEGER', [0x30, r.length + s.length, 0x04, ...r.slice(1), ...s]],
    ['zero-length r', [0x30, 2 + s.length, 0x02, 0, ...s]],
    ['negative r', [0x30, 3 + s.length, 0x02, 1, 0x80, ...s]],
    ['non-minimal r', [0x30, 4 + s.length, 0x02, 2, 0x00, 0x01, ...s]],
    ['zero r', [0x30, 3 + s.length, 0x02, 1, 0x00, ...s]],
    ['r wider than 32 bytes', [0x30, 35 + s.length, 0x02, 33, 0x01, ...new Array(32).fill(1), ...s]],
    ['r length past the end', [0x30, 8, 0x02, 40, 1, 2, 0x02, 1, 5, 0]],
  ])('rejects %s', (_name, bytes) => {
    expect(() => derToJose(Uint8Array.from(bytes))).toThrow(MalformedSignatureError);
  });
});
