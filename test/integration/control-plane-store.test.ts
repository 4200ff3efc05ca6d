/**
 * The control-plane store contract, run against the DynamoDB adapter on dynalite and against the
 * in-memory store (so the two cannot drift), plus the API end to end on DynamoDB.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  controlPlaneTableDefinition,
  DynamoControlPlaneStore,
} from '../../lambdas/adapters/aws/control-plane-store';
import { createControlPlaneApi } from '../../lambdas/control-plane-api/app';
import { memoryStateBoard } from '../../lambdas/domain/alerts/monitors/memory-state-board';
import { hashApiKey } from '../../lambdas/domain/auth/api-key';
import { MemoryChangePublisher } from '../../lambdas/domain/control-plane/changes';
import { MemoryControlPlaneStore } from '../../lambdas/domain/control-plane/memory-store';
import type { Membership, Project } from '../../lambdas/domain/control-plane/model';
import { type ControlPlaneStore, VersionConflictError } from '../../lambdas/domain/control-plane/store';
import { jwtAuthorizerActor } from '../../lambdas/http/jwt-authorizer-actor';
import { useDynalite } from '../support/dynalite';
import { bodyOf, request } from '../unit/control-plane/fixture';

const dynamo = useDynalite();
let tables = 0;

async function dynamoStore(): Promise<{ store: DynamoControlPlaneStore; table: string }> {
  const table = await dynamo.createTable(controlPlaneTableDefinition(`cp${++tables}`));
  return { store: new DynamoControlPlaneStore(dynamo.client, table), table };
}

const T = '2026-01-01T00:00:00.000Z';

function project(id: string, org = 'o1', extra: Partial<Project> = {}): Project {
  return {
    kind: 'project',
    org_id: org,
    id,
    workspace_id: 'w',
    name: id,
    version: 1,
    created_at: T,
    updated_at: T,
    ...extra,
  };
}

function member(user: string, org: string, workspace_id?: string): Membership {
  return {
    kind: 'membership',
    org_id: org,
    id: `${user}#${workspace_id ?? 'org'}`,
    user_id: user,
    workspace_id,
    role: 'member',
    version: 1,
    created_at: T,
    updated_at: T,
  };
}

const STORES: [string, () => Promise<ControlPlaneStore>][] = [
  ['DynamoControlPlaneStore on dynalite', async () => (await dynamoStore()).store],
  ['MemoryControlPlaneStore', async () => new MemoryControlPlaneStore()],
];

describe.each(STORES)('%s', (_name, makeStore) => {
  it('round-trips records and keeps kinds and organizations apart', async () => {
    const store = await makeStore();
    const described = project('p1', 'o1', { description: 'd', type: 'evaluation' });
    await store.put(described);
    await store.put(project('p2'));
    await store.put(project('p3', 'o2'));
    await store.put(member('u', 'o1'));
    expect(await store.get({ kind: 'project', org_id: 'o1', id: 'p1' })).toEqual(described);
    expect(await store.get({ kind: 'project', org_id: 'o2', id: 'p1' })).toBeUndefined();
    expect(await store.get({ kind: 'workspace', org_id: 'o1', id: 'p1' })).toBeUndefined();
    expect((await store.listByOrg('project', 'o1')).map((record) => record.id).sort()).toEqual(['p1', 'p2']);
    expect(await store.listByOrg('api-key', 'o1')).toEqual([]);
  });

  it('creates once, replaces only the next version, deletes only the current version', async () => {
    const store = await makeStore();
    const first = project('p');
    await store.put(first);
    await expect(store.put(first)).rejects.toBeInstanceOf(VersionConflictError);
    await expect(store.put({ ...first, version: 3 })).rejects.toBeInstanceOf(VersionConflictError);
    await store.put({ ...first, name: 'second', version: 2 });
    // Two writers that both read version 2: only one wins.
    const results = await Promise.allSettled([
      store.put({ ...first, name: 'a', version: 3 }),
      store.put({ ...first, name: 'b', version: 3 }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    await expect(store.delete(first, 2)).rejects.toBeInstanceOf(VersionConflictError);
    await store.delete(first, 3);
    expect(await store.get(first)).toBeUndefined();
    await expect(store.delete(first, 3)).rejects.toBeInstanceOf(VersionConflictError);
  });

  it('finds a user’s memberships across organizations, and forgets removed ones', async () => {
    const store = await makeStore();
    const orgRole = member('u', 'o1');
    await store.put(orgRole);
    await store.put(member('u', 'o2', 'w9'));
    await store.put(member('someone-else', 'o1'));
    expect(
      (await store.membershipsOfUser('u')).map((record) => `${record.org_id}/${record.id}`).sort(),
    ).toEqual(['o1/u#org', 'o2/u#w9']);
    await store.delete(orgRole, 1);
    expect((await store.membershipsOfUser('u')).map((record) => record.org_id)).toEqual(['o2']);
    expect(await store.membershipsOfUser('nobody')).toEqual([]);
  });

  it('lists more than one page of records', async () => {
    const store = await makeStore();
    const big = 'x'.repeat(20_000);
    for (let index = 0; index < 60; index++)
      await store.put(project(`p${index}`, 'o1', { description: big }));
    expect(await store.listByOrg('project', 'o1')).toHaveLength(60);
  });
});

describe('DynamoControlPlaneStore specifics', () => {
  it('refuses an item that is not the record asked for', async () => {
    const { store, table } = await dynamoStore();
    await dynamo.client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: 'ORG#o1' },
          sk: { S: 'project#bad' },
          kind: { S: 'workspace' },
          org_id: { S: 'o1' },
        },
      }),
    );
    await expect(store.get({ kind: 'project', org_id: 'o1', id: 'bad' })).rejects.toThrow(
      /not a valid project/,
    );
  });

  it('runs the control-plane API end to end: org, project, key, revoke', async () => {
    const { store } = await dynamoStore();
    const changes = new MemoryChangePublisher();
    const api = createControlPlaneApi({
      store,
      changes,
      actorFrom: jwtAuthorizerActor(store),
      monitorStates: memoryStateBoard(),
    });
    const org = bodyOf(
      await api(request({ method: 'POST', path: '/v1/orgs', body: { name: 'Acme' }, user: 'alice' })),
    ) as {
      organization: { id: string };
    };
    const created = await api(
      request({ method: 'POST', path: '/v1/projects', body: { name: 'chat' }, user: 'alice' }),
    );
    expect(created.statusCode).toBe(200);
    const projectId = (bodyOf(created) as { id: string }).id;
    expect(
      (await api(request({ method: 'POST', path: '/v1/projects', body: { name: 'chat' }, user: 'alice' })))
        .statusCode,
    ).toBe(409);
    const issued = bodyOf(
      await api(
        request({
          method: 'POST',
          path: `/v1/projects/${projectId}/keys`,
          body: { scopes: ['ingest'] },
          user: 'alice',
        }),
      ),
    ) as { key: string; id: string };
    const keyRecord = await store.get({ kind: 'api-key', org_id: org.organization.id, id: issued.id });
    expect(keyRecord?.key_hash).toBe(hashApiKey(issued.key));
    expect(JSON.stringify(keyRecord)).not.toContain(issued.key.slice(8));
    const revoked = await api(
      request({ method: 'DELETE', path: `/v1/projects/${projectId}/keys/${issued.id}`, user: 'alice' }),
    );
    expect(bodyOf(revoked)).toMatchObject({ status: 'revoked' });
    expect(changes.published.map((change) => change.type)).toEqual([
      'project.upserted',
      'api-key.upserted',
      'api-key.revoked',
    ]);
    expect((await api(request({ method: 'GET', path: '/v1/projects', user: 'mallory' }))).statusCode).toBe(
      403,
    );
  });
});
