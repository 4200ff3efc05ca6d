/**
 * Every control-plane route with every kind of caller: allowed exactly where the role matrix says,
 * and a refused call leaves the store and the change feed exactly as they were. The expectations
 * are written out here, not derived from ROLE_MATRIX, so a wrong matrix entry fails this test.
 */
import { describe, expect, it } from 'vitest';
import { CONTROL_PLANE_ROUTES } from '../../lambdas/control-plane-api/app';
import { buildFixture, FIXTURE_MONITOR, type Fixture, request } from '../unit/control-plane/fixture';

type Caller = 'owner' | 'admin' | 'member' | 'viewer' | 'non-member' | 'other-org' | 'ws-admin';
const CALLERS: Caller[] = ['owner', 'admin', 'member', 'viewer', 'non-member', 'other-org', 'ws-admin'];
const USER: Record<Caller, string> = {
  owner: 'owner',
  admin: 'admin',
  member: 'member',
  viewer: 'viewer',
  'non-member': 'outsider',
  'other-org': 'other',
  // Admin of workspace w1 only, with no organization role.
  'ws-admin': 'ws-admin',
};

interface Case {
  name: string;
  routeKey: (typeof CONTROL_PLANE_ROUTES)[number];
  writes: boolean;
  allowed: Caller[];
  build: (fixture: Fixture) => {
    method: string;
    path: string;
    query?: Record<string, string>;
    body?: unknown;
  };
}

const ORG_VIEWERS: Caller[] = ['owner', 'admin', 'member', 'viewer'];
const ORG_MEMBERS: Caller[] = ['owner', 'admin', 'member'];
const ORG_ADMINS: Caller[] = ['owner', 'admin'];
const W1_ADMINS: Caller[] = ['owner', 'admin', 'ws-admin'];
const W1_MEMBERS: Caller[] = ['owner', 'admin', 'member', 'ws-admin'];
const ANY_IN_ORG: Caller[] = [...ORG_VIEWERS, 'ws-admin'];

const CASES: Case[] = [
  {
    name: 'create organization',
    routeKey: 'POST /v1/orgs',
    writes: true,
    allowed: CALLERS,
    build: () => ({ method: 'POST', path: '/v1/orgs', body: { name: 'New' } }),
  },
  {
    name: 'read organization',
    routeKey: 'GET /v1/orgs/{orgId}',
    writes: false,
    allowed: ORG_VIEWERS,
    build: (f) => ({ method: 'GET', path: `/v1/orgs/${f.orgA}` }),
  },
  {
    name: 'rename organization',
    routeKey: 'PUT /v1/orgs/{orgId}',
    writes: true,
    allowed: ORG_ADMINS,
    build: (f) => ({ method: 'PUT', path: `/v1/orgs/${f.orgA}`, body: { name: 'Renamed' } }),
  },
  {
    name: 'list workspaces',
    routeKey: 'GET /v1/orgs/{orgId}/workspaces',
    writes: false,
    allowed: ANY_IN_ORG,
    build: (f) => ({ method: 'GET', path: `/v1/orgs/${f.orgA}/workspaces` }),
  },
  {
    name: 'create workspace',
    routeKey: 'POST /v1/orgs/{orgId}/workspaces',
    writes: true,
    allowed: ORG_ADMINS,
    build: (f) => ({ method: 'POST', path: `/v1/orgs/${f.orgA}/workspaces`, body: { name: 'Third' } }),
  },
  {
    name: 'list members',
    routeKey: 'GET /v1/orgs/{orgId}/members',
    writes: false,
    allowed: ORG_MEMBERS,
    build: (f) => ({ method: 'GET', path: `/v1/orgs/${f.orgA}/members` }),
  },
  {
    name: 'grant an organization role',
    routeKey: 'PUT /v1/orgs/{orgId}/members/{userId}',
    writes: true,
    allowed: ORG_ADMINS,
    build: (f) => ({ method: 'PUT', path: `/v1/orgs/${f.orgA}/members/someone`, body: { role: 'viewer' } }),
  },
  {
    name: 'grant a workspace role',
    routeKey: 'PUT /v1/orgs/{orgId}/members/{userId}',
    writes: true,
    allowed: W1_ADMINS,
    build: (f) => ({
      method: 'PUT',
      path: `/v1/orgs/${f.orgA}/members/someone`,
      body: { role: 'member', workspace_id: f.w1 },
    }),
  },
  {
    name: 'remove an organization member',
    routeKey: 'DELETE /v1/orgs/{orgId}/members/{userId}',
    writes: true,
    allowed: ORG_ADMINS,
    build: (f) => ({ method: 'DELETE', path: `/v1/orgs/${f.orgA}/members/newbie` }),
  },
  {
    name: 'remove a workspace member',
    routeKey: 'DELETE /v1/orgs/{orgId}/members/{userId}',
    writes: true,
    allowed: W1_ADMINS,
    build: (f) => ({
      method: 'DELETE',
      path: `/v1/orgs/${f.orgA}/members/newbie`,
      query: { workspace_id: f.w1 },
    }),
  },
  {
    name: 'list projects',
    routeKey: 'GET /v1/projects',
    writes: false,
    allowed: ANY_IN_ORG,
    build: (f) => ({ method: 'GET', path: '/v1/projects', query: { org_id: f.orgA } }),
  },
  {
    name: 'create project',
    routeKey: 'POST /v1/projects',
    writes: true,
    allowed: W1_ADMINS,
    build: (f) => ({
      method: 'POST',
      path: '/v1/projects',
      query: { org_id: f.orgA },
      body: { name: 'beta', workspace_id: f.w1, type: 'completion' },
    }),
  },
  {
    name: 'update project',
    routeKey: 'PUT /v1/projects',
    writes: true,
    allowed: W1_ADMINS,
    build: (f) => ({
      method: 'PUT',
      path: '/v1/projects',
      query: { org_id: f.orgA },
      body: { name: 'alpha', new_name: 'alpha2', description: 'd' },
    }),
  },
  {
    name: 'delete project',
    routeKey: 'DELETE /v1/projects',
    writes: true,
    allowed: W1_ADMINS,
    build: (f) => ({ method: 'DELETE', path: '/v1/projects', query: { org_id: f.orgA, name: 'alpha' } }),
  },
  {
    name: 'list keys',
    routeKey: 'GET /v1/projects/{projectId}/keys',
    writes: false,
    allowed: W1_MEMBERS,
    build: (f) => ({ method: 'GET', path: `/v1/projects/${f.projectId}/keys`, query: { org_id: f.orgA } }),
  },
  {
    name: 'create key',
    routeKey: 'POST /v1/projects/{projectId}/keys',
    writes: true,
    allowed: W1_ADMINS,
    build: (f) => ({
      method: 'POST',
      path: `/v1/projects/${f.projectId}/keys`,
      query: { org_id: f.orgA },
      body: { scopes: ['ingest', 'read'] },
    }),
  },
  {
    name: 'rotate key',
    routeKey: 'POST /v1/projects/{projectId}/keys/{keyId}/rotate',
    writes: true,
    allowed: W1_ADMINS,
    build: (f) => ({
      method: 'POST',
      path: `/v1/projects/${f.projectId}/keys/${f.keyId}/rotate`,
      query: { org_id: f.orgA },
      body: {},
    }),
  },
  {
    name: 'revoke key',
    routeKey: 'DELETE /v1/projects/{projectId}/keys/{keyId}',
    writes: true,
    allowed: W1_ADMINS,
    build: (f) => ({
      method: 'DELETE',
      path: `/v1/projects/${f.projectId}/keys/${f.keyId}`,
      query: { org_id: f.orgA },
    }),
  },
  // Monitors are project content: anyone in the workspace reads them, members write them.
  {
    name: 'list monitors',
    routeKey: 'GET /v1/projects/{projectId}/monitors',
    writes: false,
    allowed: ANY_IN_ORG,
    build: (f) => ({
      method: 'GET',
      path: `/v1/projects/${f.projectId}/monitors`,
      query: { org_id: f.orgA },
    }),
  },
  {
    name: 'create monitor',
    routeKey: 'POST /v1/projects/{projectId}/monitors',
    writes: true,
    allowed: W1_MEMBERS,
    build: (f) => ({
      method: 'POST',
      path: `/v1/projects/${f.projectId}/monitors`,
      query: { org_id: f.orgA },
      body: FIXTURE_MONITOR,
    }),
  },
  {
    name: 'read monitor',
    routeKey: 'GET /v1/projects/{projectId}/monitors/{monitorId}',
    writes: false,
    allowed: ANY_IN_ORG,
    build: (f) => ({
      method: 'GET',
      path: `/v1/projects/${f.projectId}/monitors/${f.monitorId}`,
      query: { org_id: f.orgA },
    }),
  },
  {
    name: 'update monitor',
    routeKey: 'PATCH /v1/projects/{projectId}/monitors/{monitorId}',
    writes: true,
    allowed: W1_MEMBERS,
    build: (f) => ({
      method: 'PATCH',
      path: `/v1/projects/${f.projectId}/monitors/${f.monitorId}`,
      query: { org_id: f.orgA },
      body: { paused: true },
    }),
  },
  {
    name: 'delete monitor',
    routeKey: 'DELETE /v1/projects/{projectId}/monitors/{monitorId}',
    writes: true,
    allowed: W1_MEMBERS,
    build: (f) => ({
      method: 'DELETE',
      path: `/v1/projects/${f.projectId}/monitors/${f.monitorId}`,
      query: { org_id: f.orgA },
    }),
  },
  {
    name: 'monitor history',
    routeKey: 'GET /v1/projects/{projectId}/monitors/{monitorId}/history',
    writes: false,
    allowed: ANY_IN_ORG,
    build: (f) => ({
      method: 'GET',
      path: `/v1/projects/${f.projectId}/monitors/${f.monitorId}/history`,
      query: { org_id: f.orgA },
    }),
  },
];

describe('control-plane RBAC matrix', () => {
  it('covers every route', () => {
    expect(new Set(CASES.map((entry) => entry.routeKey))).toEqual(new Set(CONTROL_PLANE_ROUTES));
  });

  for (const entry of CASES) {
    describe(entry.name, () => {
      for (const caller of CALLERS) {
        const allowed = entry.allowed.includes(caller);
        it(`${caller}: ${allowed ? 'allowed' : 'refused, nothing changes'}`, async () => {
          const fixture = await buildFixture();
          const before = fixture.store.snapshot();
          const result = await fixture.api(request({ ...entry.build(fixture), user: USER[caller] }));
          if (allowed) {
            expect(result.statusCode, result.body).toBeGreaterThanOrEqual(200);
            expect(result.statusCode, result.body).toBeLessThan(300);
            if (entry.writes) expect(fixture.store.snapshot()).not.toBe(before);
            else expect(fixture.store.snapshot()).toBe(before);
          } else {
            expect(result.statusCode, result.body).toBe(403);
            expect(fixture.store.snapshot()).toBe(before);
            expect(fixture.changes.published).toEqual([]);
          }
        });
      }

      it('unauthenticated: 401, nothing changes', async () => {
        const fixture = await buildFixture();
        const before = fixture.store.snapshot();
        const result = await fixture.api(request(entry.build(fixture)));
        expect(result.statusCode).toBe(401);
        expect(fixture.store.snapshot()).toBe(before);
        expect(fixture.changes.published).toEqual([]);
      });
    });
  }
});

describe('control-plane RBAC edges', () => {
  it('a workspace admin has no rights in another workspace of the same organization', async () => {
    const fixture = await buildFixture();
    const create = (user: string) =>
      fixture.api(
        request({
          method: 'POST',
          path: '/v1/projects',
          query: { org_id: fixture.orgA },
          body: { name: 'in-w2', workspace_id: fixture.w2 },
          user,
        }),
      );
    const before = fixture.store.snapshot();
    expect((await create('ws-admin')).statusCode).toBe(403);
    expect(fixture.store.snapshot()).toBe(before);
    expect((await create('admin')).statusCode).toBe(200);
  });

  it('nobody grants, changes or removes a role stronger than their own', async () => {
    const fixture = await buildFixture();
    const before = fixture.store.snapshot();
    const makeOwner = await fixture.api(
      request({
        method: 'PUT',
        path: `/v1/orgs/${fixture.orgA}/members/admin`,
        body: { role: 'owner' },
        user: 'admin',
      }),
    );
    expect(makeOwner.statusCode).toBe(403);
    const demoteOwner = await fixture.api(
      request({
        method: 'PUT',
        path: `/v1/orgs/${fixture.orgA}/members/owner`,
        body: { role: 'viewer' },
        user: 'admin',
      }),
    );
    expect(demoteOwner.statusCode).toBe(403);
    const removeOwner = await fixture.api(
      request({ method: 'DELETE', path: `/v1/orgs/${fixture.orgA}/members/owner`, user: 'admin' }),
    );
    expect(removeOwner.statusCode).toBe(403);
    expect(fixture.store.snapshot()).toBe(before);
  });

  it('the last owner can neither leave nor be demoted', async () => {
    const fixture = await buildFixture();
    const before = fixture.store.snapshot();
    const leave = await fixture.api(
      request({ method: 'DELETE', path: `/v1/orgs/${fixture.orgA}/members/owner`, user: 'owner' }),
    );
    expect(leave.statusCode).toBe(409);
    const demote = await fixture.api(
      request({
        method: 'PUT',
        path: `/v1/orgs/${fixture.orgA}/members/owner`,
        body: { role: 'admin' },
        user: 'owner',
      }),
    );
    expect(demote.statusCode).toBe(409);
    expect(fixture.store.snapshot()).toBe(before);
  });

  it('only members learn whether a project exists: outsiders get 403, members 404', async () => {
    const fixture = await buildFixture();
    const ask = (user: string) =>
      fixture.api(
        request({ method: 'GET', path: '/v1/projects/nope/keys', query: { org_id: fixture.orgA }, user }),
      );
    expect((await ask('outsider')).statusCode).toBe(403);
    expect((await ask('other')).statusCode).toBe(403);
    expect((await ask('viewer')).statusCode).toBe(404);
  });

  it('an identity without a subject is refused', async () => {
    const fixture = await buildFixture();
    const event = request({ method: 'GET', path: `/v1/orgs/${fixture.orgA}` });
    Object.assign(event.requestContext, {
      authorizer: { jwt: { claims: { sub: '', email: 'x@y' }, scopes: [] } },
    });
    expect((await fixture.api(event)).statusCode).toBe(401);
  });

  it('a caller in several organizations must name one', async () => {
    const fixture = await buildFixture();
    await fixture.api(
      request({
        method: 'PUT',
        path: `/v1/orgs/${fixture.orgB}/members/viewer`,
        body: { role: 'viewer' },
        user: 'other',
      }),
    );
    const result = await fixture.api(request({ method: 'GET', path: '/v1/projects', user: 'viewer' }));
    expect(result.statusCode).toBe(400);
  });
});
