/** DynamoProviderKeyStore against dynalite: optimistic versions, tenant isolation in keys, audit order. */
import { describe, expect, it } from 'vitest';
import { DynamoProviderKeyStore } from '../../lambdas/adapters/aws/dynamo-provider-key-store';
import { ConflictError, ValidationError } from '../../lambdas/domain/errors';
import type { ProviderKeyAuditEntry } from '../../lambdas/domain/providers/audit';
import type { ProviderKeyRecord } from '../../lambdas/domain/providers/record';
import { stringKeyedTable, useDynalite } from '../support/dynalite';

const dynalite = useDynalite();
let tables = 0;

async function newStore(): Promise<DynamoProviderKeyStore> {
  const name = await dynalite.createTable(stringKeyedTable(`provider-keys-${++tables}`, 'pk', 'sk'));
  return new DynamoProviderKeyStore(dynalite.client, name);
}

function record(overrides: Partial<ProviderKeyRecord> = {}): ProviderKeyRecord {
  return {
    org_id: 'org-1',
    workspace_id: 'ws-1',
    project_id: 'proj-1',
    provider: 'openai',
    sealedSecret: new Uint8Array([1, 2, 3]),
    last4: 'abcd',
    createdAt: 1,
    createdBy: 'user:a',
    updatedAt: 1,
    updatedBy: 'user:a',
    version: 1,
    ...overrides,
  };
}

function entry(at: number, overrides: Partial<ProviderKeyAuditEntry> = {}): ProviderKeyAuditEntry {
  return {
    org_id: 'org-1',
    workspace_id: 'ws-1',
    project_id: 'proj-1',
    provider: 'openai',
    scope: 'project',
    action: 'set',
    actor: 'user:a',
    at,
    version: 1,
    id: `id-${at}`,
    ...overrides,
  };
}

describe('DynamoProviderKeyStore', () => {
  it('round-trips a record, bedrock settings without a secret included', async () => {
    const store = await newStore();
    await store.put(record({ baseUrl: 'https://x.example' }), undefined);
    expect(await store.get(record())).toEqual(record({ baseUrl: 'https://x.example' }));
    const bedrock = record({
      provider: 'bedrock',
      project_id: null,
      sealedSecret: undefined,
      last4: undefined,
      region: 'us-east-1',
    });
    await store.put(bedrock, undefined);
    const { sealedSecret: _s, last4: _l, ...expected } = bedrock;
    expect(await store.get(bedrock)).toEqual(expected);
  });

  it('writes only over the version it read: a second creator or a stale writer gets ConflictError', async () => {
    const store = await newStore();
    await store.put(record(), undefined);
    await expect(store.put(record(), undefined)).rejects.toThrow(ConflictError);
    await store.put(record({ version: 2, last4: 'efgh' }), 1);
    await expect(store.put(record({ version: 2 }), 1)).rejects.toThrow(ConflictError);
    await expect(store.delete(record(), 1)).rejects.toThrow(ConflictError);
    await store.delete(record(), 2);
    expect(await store.get(record())).toBeUndefined();
  });

  it("lists a project's keys and its workspace's, not a look-alike project's or another workspace's", async () => {
    const store = await newStore();
    await store.put(record(), undefined);
    await store.put(record({ project_id: null, provider: 'anthropic' }), undefined);
    // Ids that would collide in a naive key: "proj-1#x", "proj-1" with another provider prefix.
    await store.put(record({ project_id: 'proj-1#key#proj-1' }), undefined);
    await store.put(record({ project_id: 'proj-10' }), undefined);
    await store.put(record({ workspace_id: 'ws-1#proj-1' }), undefined);
    await store.put(record({ workspace_id: 'ws-2', project_id: null }), undefined);
    const listed = await store.list({ org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' });
    expect(listed.map((r) => `${r.project_id ?? '*'}/${r.provider}`).sort()).toEqual([
      '*/anthropic',
      'proj-1/openai',
    ]);
  });

  it('keeps audit entries, newest first, for the project and its workspace', async () => {
    const store = await newStore();
    await store.appendAudit(entry(1000));
    await store.appendAudit(entry(3000, { project_id: null, scope: 'workspace', action: 'replaced' }));
    await store.appendAudit(entry(2000, { action: 'removed' }));
    await store.appendAudit(entry(4000, { project_id: 'proj-2' }));
    const listed = await store.listAudit({ org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' }, 10);
    expect(listed.map((e) => [e.at, e.action, e.scope])).toEqual([
      [3000, 'replaced', 'workspace'],
      [2000, 'removed', 'project'],
      [1000, 'set', 'project'],
    ]);
    expect(
      await store.listAudit({ org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' }, 2),
    ).toHaveLength(2);
    // An entry is never overwritten.
    await expect(store.appendAudit(entry(1000))).rejects.toThrow();
  });

  it("refuses ids whose keys would pass DynamoDB's key size limits, before calling it", async () => {
    const store = await newStore();
    await expect(store.put(record({ project_id: 'p'.repeat(1100) }), undefined)).rejects.toThrow(
      /too long to store a provider key/,
    );
    await expect(store.get(record({ org_id: 'o'.repeat(2100) }))).rejects.toThrow(ValidationError);
    // Percent-encoding writes each byte of a non-ASCII character as three: 200 "é" are 1,200 bytes.
    await expect(store.put(record({ project_id: 'é'.repeat(200) }), undefined)).rejects.toThrow(
      ValidationError,
    );
    await store.put(record({ project_id: 'p'.repeat(900) }), undefined);
    expect((await store.get(record({ project_id: 'p'.repeat(900) })))?.project_id).toHaveLength(900);
  });
});
