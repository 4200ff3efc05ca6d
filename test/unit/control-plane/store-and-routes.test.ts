import { describe, expect, it } from 'vitest';
import { CONTROL_PLANE_ROUTES } from '../../../lambdas/control-plane-api/routes';
import { memoryStateBoard } from '../../../lambdas/domain/alerts/monitors/memory-state-board';
import { MemoryControlPlaneStore } from '../../../lambdas/domain/control-plane/memory-store';
import type { Workspace } from '../../../lambdas/domain/control-plane/model';
import { VersionConflictError } from '../../../lambdas/domain/control-plane/store';
import { routeRequest } from '../../../lambdas/http/routes';
import { bodyOf, buildFixture, request } from './fixture';

/** How the router reads a control-plane request (lambdas/http/router.ts). */
const matchRoute = (method: string, path: string) => routeRequest(CONTROL_PLANE_ROUTES, method, path);

const workspace: Workspace = {
  kind: 'workspace',
  org_id: 'o',
  id: 'w',
  name: 'W',
  version: 1,
  created_at: 't',
  updated_at: 't',
};

describe('MemoryControlPlaneStore versioning', () => {
  it('creates once, replaces only the next version, deletes only the current one', async () => {
    const store = new MemoryControlPlaneStore();
    await store.put(workspace);
    await expect(store.put(workspace)).rejects.toBeInstanceOf(VersionConflictError);
    await expect(store.put({ ...workspace, version: 3 })).rejects.toThrow(/changed by another request/);
    await store.put({ ...workspace, name: 'W2', version: 2 });
    await expect(store.delete(workspace, 1)).rejects.toBeInstanceOf(VersionConflictError);
    expect((await store.get(workspace))?.name).toBe('W2');
    await store.delete(workspace, 2);
    expect(await store.get(workspace)).toBeUndefined();
    await expect(store.put({ ...workspace, version: 3 })).rejects.toBeInstanceOf(VersionConflictError);
  });

  it('hands out copies, so callers cannot change stored records', async () => {
    const store = new MemoryControlPlaneStore();
    await store.put(workspace);
    const read = await store.get(workspace);
    if (read) read.name = 'mutated';
    expect((await store.listByOrg('workspace', 'o'))[0]?.name).toBe('W');
  });
});

describe('control-plane routing', () => {
  it('matches every route template and nothing else', () => {
    for (const routeKey of CONTROL_PLANE_ROUTES) {
      const [method = '', template = ''] = routeKey.split(' ');
      const path = template.replace(/\{(\w+)\}/g, 'x');
      expect(matchRoute(method, path)?.routeKey).toBe(routeKey);
      expect(matchRoute(method, `${path}/`)?.routeKey).toBe(routeKey);
    }
    expect(matchRoute('GET', '/v1/projects/a%2Fb/keys')?.params).toEqual({ projectId: 'a/b' });
    expect(matchRoute('PATCH', '/v1/projects')).toBeUndefined();
    expect(matchRoute('GET', '/v1/projects//keys')).toBeUndefined();
    expect(matchRoute('GET', '/v1/orgs/a/b')).toBeUndefined();
  });

  it('answers 400 for a path parameter with malformed percent-encoding', async () => {
    expect(() => matchRoute('GET', '/v1/projects/%ff/keys')).toThrow(
      expect.objectContaining({
        status: 400,
        message: expect.stringMatching(/"%ff" is not valid percent-encoding/),
      }),
    );
    const fixture = await buildFixture();
    for (const path of ['/v1/orgs/%E0%A4%A', '/v1/projects/%ff/keys']) {
      const response = await fixture.api(request({ method: 'GET', path, user: 'owner' }));
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toEqual({
        success: false,
        error: expect.stringMatching(/^Path segment ".*" is not valid percent-encoding$/),
      });
    }
  });

  it('answers 404 for unknown routes and 500 without detail for unexpected failures', async () => {
    const fixture = await buildFixture();
    expect(
      (await fixture.api(request({ method: 'GET', path: '/v1/nothing', user: 'owner' }))).statusCode,
    ).toBe(404);
    const broken = { ...fixture.store, listByOrg: async () => Promise.reject(new Error('secret detail')) };
    const errors: unknown[] = [];
    const { createControlPlaneApi } = await import('../../../lambdas/control-plane-api/app');
    const api = createControlPlaneApi({
      store: Object.assign(Object.create(fixture.store), broken),
      changes: fixture.changes,
      actorFrom: () => ({ user_id: 'owner', memberships: [] }),
      monitorStates: memoryStateBoard(),
      onError: (error) => errors.push(error),
    });
    const result = await api(
      request({ method: 'POST', path: '/v1/orgs', body: { name: 'x' }, user: 'owner' }),
    );
    expect(result.statusCode).toBe(201);
    const failed = await api(
      request({ method: 'GET', path: '/v1/projects', query: { org_id: 'o' }, user: 'owner' }),
    );
    // No membership in "o": refused before the store is ever listed.
    expect(failed.statusCode).toBe(403);
    const member = createControlPlaneApi({
      store: Object.assign(Object.create(fixture.store), broken),
      changes: fixture.changes,
      actorFrom: () => ({ user_id: 'owner', memberships: [{ ...orgOwnerMembership(fixture.orgA) }] }),
      monitorStates: memoryStateBoard(),
      onError: (error) => errors.push(error),
    });
    const crashed = await member(
      request({ method: 'GET', path: '/v1/projects', query: { org_id: fixture.orgA }, user: 'owner' }),
    );
    expect(crashed.statusCode).toBe(500);
    expect(bodyOf(crashed)).toEqual({ success: false, error: 'Internal error' });
    expect(errors).toHaveLength(1);
  });
});

function orgOwnerMembership(orgId: string) {
  return {
    kind: 'membership' as const,
    org_id: orgId,
    id: 'owner#org',
    user_id: 'owner',
    role: 'owner' as const,
    version: 1,
    created_at: '',
    updated_at: '',
  };
}
