import { describe, expect, it } from 'vitest';
import { createProject, findProjectByName } from '../../../lambdas/domain/control-plane/projects';
import { aChannel } from '../alerts/alerts-fixtures';
import { bodyOf, buildFixture, request } from './fixture';

interface ProjectsCall {
  query?: Record<string, string>;
  body?: unknown;
  user?: string;
}

/** A call to /v1/projects in the fixture's first organization, as `user` (its owner unless named). */
function callProjects(
  fixture: Awaited<ReturnType<typeof buildFixture>>,
  method: string,
  options: ProjectsCall = {},
) {
  return fixture.api(
    request({
      method,
      path: '/v1/projects',
      query: { org_id: fixture.orgA, ...options.query },
      body: options.body,
      user: options.user ?? 'owner',
    }),
  );
}

describe('projects through the control-plane API (HoneyHive /v1/projects)', () => {
  it('creates, lists, filters by name, updates and deletes, publishing each change', async () => {
    const fixture = await buildFixture();
    const call = (method: string, options: ProjectsCall = {}) => callProjects(fixture, method, options);
    const created = await call('POST', { body: { name: 'beta', description: 'b', type: 'evaluation' } });
    expect(created.statusCode).toBe(200);
    const beta = bodyOf(created) as Record<string, unknown>;
    expect(beta).toMatchObject({
      name: 'beta',
      description: 'b',
      type: 'evaluation',
      org_id: fixture.orgA,
      workspace_id: fixture.w1,
      created_at: '2026-01-01T00:00:00.000Z',
    });
    expect(fixture.changes.published).toEqual([
      {
        type: 'project.upserted',
        version: 1,
        payload: {
          id: beta.id,
          org_id: fixture.orgA,
          workspace_id: fixture.w1,
          name: 'beta',
          description: 'b',
          type: 'evaluation',
        },
      },
    ]);

    const all = bodyOf(await call('GET')) as { name: string }[];
    expect(all.map((project) => project.name).sort()).toEqual(['alpha', 'beta']);
    expect(bodyOf(await call('GET', { query: { name: 'beta' } }))).toEqual([beta]);

    const updated = await call('PUT', { body: { name: 'beta', new_name: 'gamma', type: 'completion' } });
    expect(bodyOf(updated)).toMatchObject({
      id: beta.id,
      name: 'gamma',
      type: 'completion',
      description: 'b',
    });
    expect(fixture.changes.published.at(-1)).toMatchObject({ type: 'project.upserted', version: 2 });

    expect((await call('DELETE', { query: { name: 'gamma' } })).statusCode).toBe(200);
    expect(fixture.changes.published.at(-1)).toMatchObject({
      type: 'project.deleted',
      version: 3,
      payload: { name: 'gamma' },
    });
    expect((await call('DELETE', { query: { name: 'gamma' } })).statusCode).toBe(404);
    // The name is free again.
    expect((await call('POST', { body: { name: 'gamma' } })).statusCode).toBe(200);
  });

  it('keeps names unique per organization and refuses bad bodies, writing nothing', async () => {
    const fixture = await buildFixture();
    const post = (body: unknown, raw?: string) => {
      const event = request({
        method: 'POST',
        path: '/v1/projects',
        query: { org_id: fixture.orgA },
        body,
        user: 'owner',
      });
      if (raw !== undefined) event.body = raw;
      return fixture.api(event);
    };
    const before = fixture.store.snapshot();
    expect((await post({ name: 'alpha' })).statusCode).toBe(409);
    expect((await post({ name: 'alpha', workspace_id: fixture.w2 })).statusCode).toBe(409);
    expect((await post({})).statusCode).toBe(400);
    expect((await post({ name: '  ' })).statusCode).toBe(400);
    expect((await post({ name: 'x', type: 'chat' })).statusCode).toBe(400);
    expect((await post({ name: 'x'.repeat(201) })).statusCode).toBe(400);
    expect((await post(undefined, '{not json')).statusCode).toBe(400);
    expect((await post(undefined, '[1]')).statusCode).toBe(400);
    expect((await post({ name: 'x', workspace_id: 'nowhere' })).statusCode).toBe(404);
    expect(fixture.store.snapshot()).toBe(before);
    expect(fixture.changes.published).toEqual([]);
  });

  it('renaming a project re-publishes its keys with the new name and frees the old name', async () => {
    const fixture = await buildFixture();
    await callProjects(fixture, 'PUT', { body: { name: 'alpha', new_name: 'omega' }, user: 'admin' });
    expect(fixture.changes.published).toEqual([
      expect.objectContaining({
        type: 'api-key.upserted',
        version: 2,
        payload: expect.objectContaining({ projectName: 'omega' }),
      }),
      expect.objectContaining({ type: 'project.upserted', version: 2 }),
    ]);
    expect(await findProjectByName(fixture.context, fixture.orgA, 'alpha')).toBeUndefined();
    expect((await findProjectByName(fixture.context, fixture.orgA, 'omega'))?.id).toBe(fixture.projectId);
  });

  it('renaming onto a taken name fails with 409 and leaves both projects as they were', async () => {
    const fixture = await buildFixture();
    await createProject(
      fixture.context,
      { org_id: fixture.orgA, workspace_id: fixture.w2 },
      { name: 'beta' },
    );
    const before = fixture.store.snapshot();
    const result = await callProjects(fixture, 'PUT', { body: { name: 'alpha', new_name: 'beta' } });
    expect(result.statusCode).toBe(409);
    expect(fixture.store.snapshot()).toBe(before);
  });

  it('deleting a project deletes its monitors and channels and revokes its active keys first', async () => {
    const fixture = await buildFixture();
    const channel = aChannel({ org_id: fixture.orgA, id: 'ch-alpha', project_id: fixture.projectId });
    const otherProject = aChannel({ org_id: fixture.orgA, id: 'ch-other', project_id: 'another' });
    await fixture.store.put(channel);
    await fixture.store.put(otherProject);
    await callProjects(fixture, 'DELETE', { query: { name: 'alpha' } });
    // The monitor's tombstone reaches the data planes, so none keeps evaluating it.
    expect(fixture.changes.published.map((change) => change.type)).toEqual([
      'alert.deleted',
      'api-key.revoked',
      'project.deleted',
    ]);
    expect(
      await fixture.store.get({ kind: 'monitor', org_id: fixture.orgA, id: fixture.monitorId }),
    ).toBeUndefined();
    expect(
      await fixture.store.get({ kind: 'channel', org_id: fixture.orgA, id: 'ch-alpha' }),
    ).toBeUndefined();
    expect(await fixture.store.get({ kind: 'channel', org_id: fixture.orgA, id: 'ch-other' })).toBeDefined();
    const key = await fixture.store.get({ kind: 'api-key', org_id: fixture.orgA, id: fixture.keyId });
    expect(key?.status).toBe('revoked');
  });

  it('takes over a name claim left behind by a failed create', async () => {
    const fixture = await buildFixture();
    const now = '2026-01-01T00:00:00.000Z';
    await fixture.store.put({
      kind: 'name-claim',
      org_id: fixture.orgA,
      id: 'project-name#orphan',
      owner_id: 'never-written',
      version: 1,
      created_at: now,
      updated_at: now,
    });
    const project = await createProject(
      fixture.context,
      { org_id: fixture.orgA, workspace_id: fixture.w1 },
      { name: 'orphan' },
    );
    expect((await findProjectByName(fixture.context, fixture.orgA, 'orphan'))?.id).toBe(project.id);
  });

  it('releases the claim when the project write fails', async () => {
    const fixture = await buildFixture();
    const failing = {
      ...fixture.context,
      store: Object.assign(Object.create(fixture.store), {
        put: async (record: Parameters<typeof fixture.store.put>[0]) => {
          if (record.kind === 'project') throw new Error('disk full');
          return fixture.store.put(record);
        },
      }),
    };
    const before = fixture.store.snapshot();
    await expect(
      createProject(failing, { org_id: fixture.orgA, workspace_id: fixture.w1 }, { name: 'doomed' }),
    ).rejects.toThrow('disk full');
    expect(fixture.store.snapshot()).toBe(before);
  });
});
