/**
 * The sync inbox under attack: replayed, reordered, duplicated and forged messages must change
 * nothing they should not. Each case snapshots the data plane's key registry, config store and
 * applied state before and after.
 */
import { sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../lambdas/domain/sync/canonical-json';
import { createEcdsaSigner, generateSyncKeyPair } from '../../lambdas/domain/sync/ecdsa';
import type { EntityChange } from '../../lambdas/domain/sync/publisher';
import {
  apiKeyPayload,
  body,
  change,
  controlPlaneKey,
  dataPlane,
  keyChange,
  keyHash,
  NOW,
  snapshot,
  type World,
} from '../unit/sync/fixtures';

/** A data plane holding one active key and one project. */
async function seeded(): Promise<World> {
  const world = dataPlane();
  await world.controller.handle(await body(keyChange('api-key.upserted', 'k1', 1)));
  await world.controller.handle(await body(change('project.upserted', 'p1', 3, { name: 'one' })));
  return world;
}

async function expectRejectedUnchanged(text: string, reason: string): Promise<void> {
  const world = await seeded();
  const before = await snapshot(world);
  const result = await world.controller.handle(text);
  expect(result).toMatchObject({ status: 'rejected', reason });
  expect(await snapshot(world)).toEqual(before);
  expect(world.controller.stats().rejectedByReason).toEqual({ [reason]: 1 });
}

function mutate(
  text: string,
  edit: (envelope: Record<string, unknown>, message: Record<string, unknown>) => void,
): string {
  const envelope = JSON.parse(text) as Record<string, unknown>;
  edit(envelope, envelope.message as Record<string, unknown>);
  return JSON.stringify(envelope);
}

/** Re-signs an edited message with the real key: tests validation behind a valid signature. */
async function resigned(edit: (message: Record<string, unknown>) => void): Promise<string> {
  const envelope = JSON.parse(await body(keyChange('api-key.upserted', 'k9', 1))) as Record<string, unknown>;
  const message = envelope.message as Record<string, unknown>;
  edit(message);
  const signature = sign('sha256', Buffer.from(canonicalJson(message)), {
    key: controlPlaneKey.privateKey,
    dsaEncoding: 'der',
  });
  return JSON.stringify({ ...envelope, message, signature: signature.toString('base64url') });
}

describe('sync security: forged messages are rejected and change nothing', () => {
  it('a tampered payload (key moved to another project)', async () => {
    const text = mutate(await body(keyChange('api-key.upserted', 'k1', 2)), (_, message) => {
      (message.payload as Record<string, unknown>).project_id = 'proj-attacker';
    });
    await expectRejectedUnchanged(text, 'bad-signature');
  });

  it('a tampered version (a revocation replayed with a bumped version)', async () => {
    const text = mutate(await body(keyChange('api-key.upserted', 'k1', 1)), (_, message) => {
      message.entityVersion = 99;
    });
    await expectRejectedUnchanged(text, 'bad-signature');
  });

  it('a signature by a key the data plane does not trust, under the trusted keyId', async () => {
    const rogue = createEcdsaSigner(generateSyncKeyPair().privateKey, 'cp-key-1');
    await expectRejectedUnchanged(
      await body(keyChange('api-key.revoked', 'k1', 5), { signer: rogue }),
      'bad-signature',
    );
  });

  it('a signature under an unknown keyId', async () => {
    const rogue = createEcdsaSigner(generateSyncKeyPair().privateKey, 'cp-key-rogue');
    await expectRejectedUnchanged(
      await body(change('project.deleted', 'p1', 9), { signer: rogue }),
      'bad-signature',
    );
  });

  it('a signature from another message (spliced)', async () => {
    const other = JSON.parse(await body(change('project.upserted', 'p2', 1))) as { signature: string };
    const text = mutate(await body(change('project.deleted', 'p1', 9)), (envelope) => {
      envelope.signature = other.signature;
    });
    await expectRejectedUnchanged(text, 'bad-signature');
  });

  it('a signature that is not DER at all', async () => {
    const text = mutate(await body(change('project.deleted', 'p1', 9)), (envelope) => {
      envelope.signature = Buffer.alloc(64, 7).toString('base64url');
    });
    await expectRejectedUnchanged(text, 'bad-signature');
  });

  it('a validly signed message for another data plane', async () => {
    await expectRejectedUnchanged(
      await body(keyChange('api-key.revoked', 'k1', 5), { dataPlaneId: 'dp-us-1' }),
      'wrong-data-plane',
    );
  });

  it('the same message re-addressed to this data plane', async () => {
    const text = mutate(
      await body(change('project.deleted', 'p1', 9), { dataPlaneId: 'dp-us-1' }),
      (_, message) => {
        message.dataPlaneId = 'dp-eu-1';
      },
    );
    await expectRejectedUnchanged(text, 'bad-signature');
  });

  it.each(['v', 'dataPlaneId', 'seq', 'issuedAt', 'kind', 'entityId', 'entityVersion', 'payload'])(
    'a validly signed message missing %s',
    async (field) => {
      await expectRejectedUnchanged(
        await resigned((message) => {
          delete message[field];
        }),
        'invalid-message',
      );
    },
  );

  const payloadOf = (message: Record<string, unknown>) => message.payload as Record<string, unknown>;
  it.each<[string, (message: Record<string, unknown>) => void]>([
    ['an unknown version', (m) => Object.assign(m, { v: 2 })],
    ['an unknown kind', (m) => Object.assign(m, { kind: 'api-key.unrevoked' })],
    ['an unknown field', (m) => Object.assign(m, { note: 'x' })],
    ['a fractional version', (m) => Object.assign(m, { entityVersion: 1.5 })],
    ['a zero seq', (m) => Object.assign(m, { seq: 0 })],
    ['a keyHash differing from entityId', (m) => Object.assign(payloadOf(m), { keyHash: keyHash('other') })],
    ['an unknown scope', (m) => Object.assign(payloadOf(m), { scopes: ['root'] })],
    ['an extra payload field', (m) => Object.assign(payloadOf(m), { owner: 'x' })],
    ['a revoked flag contradicting the kind', (m) => Object.assign(payloadOf(m), { revoked: true })],
    [
      'the raw key in the payload',
      (m) => Object.assign(payloadOf(m), { projectName: `wgl_${'a'.repeat(43)}_abcdef` }),
    ],
    [
      'a field named like a secret',
      (m) =>
        Object.assign(m, {
          kind: 'evaluator.upserted',
          entityId: 'p',
          payload: { providerApiKey: 'x', password: 'y' },
        }),
    ],
  ])('a validly signed message with %s', async (_, edit) => {
    await expectRejectedUnchanged(await resigned(edit), 'invalid-message');
  });

  it.each([
    ['not JSON', 'not json{'],
    ['a JSON array', '[]'],
    ['no signature', JSON.stringify({ message: {}, keyId: 'cp-key-1' })],
    [
      'an extra envelope field',
      JSON.stringify({ message: {}, keyId: 'cp-key-1', signature: 'A'.repeat(20), x: 1 }),
    ],
    [
      'a signature with illegal characters',
      JSON.stringify({ message: {}, keyId: 'cp-key-1', signature: '!'.repeat(20) }),
    ],
    [
      'a message that is not an object',
      JSON.stringify({ message: 'x', keyId: 'cp-key-1', signature: 'A'.repeat(20) }),
    ],
  ])('a body that is %s', async (_, text) => {
    await expectRejectedUnchanged(text, 'malformed');
  });

  it('a message older than the replay window', async () => {
    await expectRejectedUnchanged(
      await body(keyChange('api-key.upserted', 'k5', 1), { issuedAt: NOW - 15 * 24 * 3600_000 }),
      'expired',
    );
  });

  it('a message issued in the future beyond clock skew', async () => {
    await expectRejectedUnchanged(
      await body(keyChange('api-key.upserted', 'k5', 1), { issuedAt: NOW + 3600_000 }),
      'from-the-future',
    );
  });
});

describe('sync security: replays, duplicates and reordering', () => {
  it('a replayed older upsert does not overwrite a newer version', async () => {
    const world = dataPlane();
    const old = await body(change('project.upserted', 'e1', 1, { code: 'v1' }));
    await world.controller.handle(old);
    await world.controller.handle(await body(change('project.upserted', 'e1', 2, { code: 'v2' })));
    const before = await snapshot(world);
    expect((await world.controller.handle(old)).status).toBe('stale');
    expect(await snapshot(world)).toEqual(before);
  });

  it('a duplicate is a no-op', async () => {
    const world = dataPlane();
    const text = await body(change('project.upserted', 'a1', 4, { threshold: 3 }));
    await world.controller.handle(text);
    const before = await snapshot(world);
    expect((await world.controller.handle(text)).status).toBe('stale');
    expect(await snapshot(world)).toEqual(before);
  });

  it('a replayed upsert does not revive a revoked key', async () => {
    const world = dataPlane();
    const upsert = await body(keyChange('api-key.upserted', 'k1', 1));
    await world.controller.handle(upsert);
    await world.controller.handle(await body(keyChange('api-key.revoked', 'k1', 2)));
    const before = await snapshot(world);
    await world.controller.handle(upsert);
    expect(await snapshot(world)).toEqual(before);
    expect(world.registry.records.get(keyHash('k1'))?.revoked).toBe(true);
  });

  it('no upsert un-revokes a key, not even one with a higher version (fail closed)', async () => {
    const world = dataPlane();
    await world.controller.handle(await body(keyChange('api-key.revoked', 'k1', 2)));
    const result = await world.controller.handle(await body(keyChange('api-key.upserted', 'k1', 10)));
    expect(result.status).toBe('kept-revoked');
    expect(world.registry.records.get(keyHash('k1'))?.revoked).toBe(true);
  });

  it('a revocation older than the version held still revokes (fail closed)', async () => {
    const world = dataPlane();
    await world.controller.handle(await body(keyChange('api-key.upserted', 'k1', 5)));
    await world.controller.handle(await body(keyChange('api-key.revoked', 'k1', 3)));
    expect(world.registry.records.get(keyHash('k1'))?.revoked).toBe(true);
    expect(await world.appliedState.get('api-key', keyHash('k1'))).toEqual({
      entityVersion: 5,
      status: 'revoked',
    });
  });
});

/** Histories the control plane can produce: increasing versions per entity, a revocation only last. */
const history = fc
  .array(
    fc.record({
      entity: fc.oneof(fc.constant({ kind: 'project', id: 'x' }), fc.constant({ kind: 'api-key', id: 'k' })),
      idSuffix: fc.integer({ min: 0, max: 2 }),
      steps: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
      revokeLast: fc.boolean(),
      firstVersion: fc.integer({ min: 1, max: 5 }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((entities) => {
    const changes: EntityChange[] = [];
    const seen = new Set<string>();
    for (const { entity, idSuffix, steps, revokeLast, firstVersion } of entities) {
      const name = `${entity.kind}:${entity.id}${idSuffix}`;
      if (seen.has(name)) continue;
      seen.add(name);
      let version = firstVersion;
      for (const [index, flag] of steps.entries()) {
        if (entity.kind === 'api-key') {
          const hash = keyHash(name);
          const revoke = revokeLast && index === steps.length - 1;
          changes.push(
            change(
              revoke ? 'api-key.revoked' : 'api-key.upserted',
              hash,
              version,
              apiKeyPayload(hash, { projectName: `v${version}` }),
            ),
          );
        } else {
          const kind = `${entity.kind}.${flag ? 'upserted' : 'deleted'}` as EntityChange['kind'];
          changes.push(change(kind, name, version, flag ? { at: version } : {}));
        }
        version += 1;
      }
    }
    return changes;
  });

describe('sync security: any delivery order converges', () => {
  it('a permutation with duplicates of a valid sequence ends in the in-order state', async () => {
    await fc.assert(
      fc.asyncProperty(
        history.chain((changes) =>
          // Every message at least once (SQS delivers each), up to three times, in any order.
          fc
            .array(fc.integer({ min: 1, max: 3 }), { minLength: changes.length, maxLength: changes.length })
            .chain((copies) => {
              const deliveries = copies.flatMap((count, index) => Array.from({ length: count }, () => index));
              return fc.record({
                changes: fc.constant(changes),
                deliveries: fc.shuffledSubarray(deliveries, { minLength: deliveries.length }),
              });
            }),
        ),
        async ({ changes, deliveries }) => {
          const bodies = await Promise.all(changes.map((entity, index) => body(entity, { seq: index + 1 })));
          const inOrder = dataPlane();
          for (const text of bodies) await inOrder.controller.handle(text);
          const shuffled = dataPlane();
          for (const index of deliveries) await shuffled.controller.handle(bodies[index] ?? '');
          expect(shuffled.controller.stats().rejected).toBe(0);
          expect(await snapshot(shuffled)).toEqual(await snapshot(inOrder));
        },
      ),
      { numRuns: 60 },
    );
  });
});
