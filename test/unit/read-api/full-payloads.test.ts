import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Tenant } from '../../../lambdas/domain/events/event';
import type { SessionNode, SessionResult, StoredEvent } from '../../../lambdas/domain/query/types';
import {
  eventWithFullPayloads,
  restoreFullPayloads,
  sessionWithFullPayloads,
  treeEvents,
} from '../../../lambdas/domain/read-api/full-payloads';
import { payloadKey } from '../../../lambdas/domain/store/layout';
import { MemoryObjectStore } from '../../support/memory-ports';

const TENANT: Tenant = { org_id: 'o', workspace_id: 'w', project_id: 'p 1' };

function event(id: string, refs: Partial<StoredEvent>): StoredEvent {
  return { event_id: id, inputs: { truncated: true }, outputs: { truncated: true }, ...refs } as StoredEvent;
}

async function storeWith(entries: Record<string, unknown>): Promise<MemoryObjectStore> {
  const store = new MemoryObjectStore();
  for (const [key, value] of Object.entries(entries)) {
    await store.put(key, typeof value === 'string' ? Buffer.from(value) : gzipSync(JSON.stringify(value)));
  }
  return store;
}

describe('restoreFullPayloads', () => {
  it('puts the full inputs and outputs back from the payload objects', async () => {
    const inputsKey = payloadKey('p 1', 'e1', 5, 'inputs');
    const outputsKey = payloadKey('p 1', 'e1', 5, 'outputs');
    const store = await storeWith({ [inputsKey]: { prompt: 'x'.repeat(10) }, [outputsKey]: { answer: 'y' } });
    const events = [event('e1', { inputs_ref: inputsKey, outputs_ref: outputsKey }), event('e2', {})];
    await restoreFullPayloads(events, store, TENANT);
    expect(events.map((e) => [e.inputs, e.outputs])).toEqual([
      [{ prompt: 'xxxxxxxxxx' }, { answer: 'y' }],
      [{ truncated: true }, { truncated: true }],
    ]);
  });

  it("never reads outside the caller's payload prefix, and keeps the copy when an object is missing or corrupt", async () => {
    const foreign = payloadKey('other', 'e1', 1, 'inputs');
    const corrupt = payloadKey('p 1', 'e2', 1, 'inputs');
    const notObject = payloadKey('p 1', 'e3', 1, 'inputs');
    const store = await storeWith({
      [foreign]: { stolen: true },
      [corrupt]: 'not gzip',
      [notObject]: [1, 2],
    });
    const events = [
      event('e1', { inputs_ref: foreign }),
      event('e2', { inputs_ref: corrupt }),
      event('e3', { inputs_ref: notObject }),
      event('e4', { inputs_ref: payloadKey('p 1', 'e4', 1, 'inputs') }),
    ];
    await restoreFullPayloads(events, store, TENANT);
    expect(events.map((e) => e.inputs)).toEqual(Array(4).fill({ truncated: true }));
  });

  it('reads at most maxObjects payloads per request', async () => {
    const entries: Record<string, unknown> = {};
    const events: StoredEvent[] = [];
    for (let index = 0; index < 5; index++) {
      const key = payloadKey('p 1', `e${index}`, 1, 'inputs');
      entries[key] = { full: index };
      events.push(event(`e${index}`, { inputs_ref: key }));
    }
    await restoreFullPayloads(events, await storeWith(entries), TENANT, { maxObjects: 3 });
    expect(events.map((e) => e.inputs)).toEqual([
      { full: 0 },
      { full: 1 },
      { full: 2 },
      { truncated: true },
      { truncated: true },
    ]);
  });

  it('the event and session helpers work on copies', async () => {
    const key = payloadKey('p 1', 'e1', 1, 'outputs');
    const store = await storeWith({ [key]: { answer: 'whole' } });
    const original = event('e1', { outputs_ref: key });
    expect((await eventWithFullPayloads(original, store, TENANT)).outputs).toEqual({ answer: 'whole' });
    const root = { ...event('s', {}), children: [{ ...original, children: [] }] } as SessionNode;
    const session = await sessionWithFullPayloads(
      { root, rollup: {} as SessionResult['rollup'] },
      store,
      TENANT,
    );
    expect(session.root.children[0]?.outputs).toEqual({ answer: 'whole' });
    expect(original.outputs).toEqual({ truncated: true });
    expect(root.children[0]?.outputs).toEqual({ truncated: true });
  });

  it('treeEvents lists every node of a tree', () => {
    const leaf = { event_id: 'c', children: [] } as unknown as SessionNode;
    const mid = { event_id: 'b', children: [leaf] } as unknown as SessionNode;
    const root = {
      event_id: 'a',
      children: [mid, { event_id: 'd', children: [] }],
    } as unknown as SessionNode;
    expect(
      treeEvents(root)
        .map((node) => node.event_id)
        .sort(),
    ).toEqual(['a', 'b', 'c', 'd']);
  });
});
