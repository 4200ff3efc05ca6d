import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CanonicalJsonError, canonicalJson } from '../../../lambdas/domain/sync/canonical-json';
import {
  createEcdsaSigner,
  createEcdsaVerifier,
  generateSyncKeyPair,
} from '../../../lambdas/domain/sync/ecdsa';
import { checkSyncMessage, SyncMessageError } from '../../../lambdas/domain/sync/messages';
import { type MessageVerifier, openSignedSyncMessage } from '../../../lambdas/domain/sync/signing';
import { body, change, controlPlaneKey, DATA_PLANE, NOW, verifier } from './fixtures';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: [{ z: 1, a: null }], a: 'x' })).toBe('{"a":"x","b":[{"a":null,"z":1}]}');
    expect(canonicalJson(JSON.parse('{ "y": 2,  "x": 1 }'))).toBe(canonicalJson({ x: 1, y: 2 }));
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, undefined, () => 1, new Date(0)])('refuses %s', (value) => {
    expect(() => canonicalJson({ value })).toThrow(CanonicalJsonError);
  });
});

describe('ECDSA signing port', () => {
  const data = new TextEncoder().encode('message');

  it('verifies its own signatures, also under a previous key kept during a rotation', async () => {
    const next = generateSyncKeyPair();
    const rotated = createEcdsaVerifier(
      new Map([
        ['cp-key-1', controlPlaneKey.publicKey],
        ['cp-key-2', next.publicKey],
      ]),
    );
    const old = createEcdsaSigner(controlPlaneKey.privateKey, 'cp-key-1');
    const fresh = createEcdsaSigner(next.privateKey, 'cp-key-2');
    expect(await rotated.verify(data, await old.sign(data), 'cp-key-1')).toBe(true);
    expect(await rotated.verify(data, await fresh.sign(data), 'cp-key-2')).toBe(true);
    expect(await rotated.verify(data, await fresh.sign(data), 'cp-key-1')).toBe(false);
  });

  it('rejects unknown key ids and garbage signatures without throwing', async () => {
    const signature = await createEcdsaSigner(controlPlaneKey.privateKey, 'cp-key-1').sign(data);
    expect(await verifier.verify(data, signature, 'cp-key-9')).toBe(false);
    expect(await verifier.verify(data, new Uint8Array([1, 2, 3]), 'cp-key-1')).toBe(false);
    expect(await verifier.verify(new TextEncoder().encode('other'), signature, 'cp-key-1')).toBe(false);
  });

  it('accepts only P-256 keys', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => createEcdsaSigner(p384.privateKey, 'k')).toThrow(/P-256/);
    expect(() => createEcdsaSigner(controlPlaneKey.publicKey, 'k')).toThrow(/private/);
    expect(() => createEcdsaVerifier(new Map([['k', rsa.publicKey]]))).toThrow(/P-256/);
  });
});

describe('opening inbox messages', () => {
  it('propagates a verifier outage instead of treating it as a verdict', async () => {
    const down: MessageVerifier = {
      verify: async () => {
        throw new Error('JWKS endpoint unreachable');
      },
    };
    const text = await body(change('project.upserted', 'p', 1));
    await expect(
      openSignedSyncMessage(text, { verifier: down, dataPlaneId: DATA_PLANE, now: NOW }),
    ).rejects.toThrow(/unreachable/);
  });

  it('opens a valid message regardless of key order and spacing on the wire', async () => {
    const envelope = JSON.parse(await body(change('project.upserted', 'p', 1, { b: 1, a: 2 })));
    const reordered = `{"signature":${JSON.stringify(envelope.signature)},  "keyId":"cp-key-1","message":${JSON.stringify(
      Object.fromEntries(Object.entries(envelope.message).reverse()),
      null,
      2,
    )}}`;
    const opened = await openSignedSyncMessage(reordered, { verifier, dataPlaneId: DATA_PLANE, now: NOW });
    expect(opened).toMatchObject({ ok: true, message: { entityId: 'p', payload: { a: 2, b: 1 } } });
  });
});

describe('message validation', () => {
  const valid = {
    v: 1,
    dataPlaneId: DATA_PLANE,
    seq: 1,
    issuedAt: NOW,
    kind: 'project.upserted',
    entityId: 'p',
    entityVersion: 1,
    payload: {},
  };

  it('accepts a well-formed message', () => {
    expect(checkSyncMessage(valid)).toEqual(valid);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an entity id with a newline', { entityId: 'a\nb' }],
    ['an empty entity id', { entityId: '' }],
    ['a too long entity id', { entityId: 'x'.repeat(257) }],
    ['a payload that is an array', { payload: [] }],
    [
      'a PEM private key anywhere in the payload',
      { payload: { nested: ['-----BEGIN EC PRIVATE KEY-----'] } },
    ],
    ['a data plane id with a slash', { dataPlaneId: 'dp/1' }],
    ['a negative issuedAt', { issuedAt: -1 }],
  ])('refuses %s', (_, override) => {
    expect(() => checkSyncMessage({ ...valid, ...override })).toThrow(SyncMessageError);
  });
});
