/**
 * The monitors routes of the control-plane API: RBAC per role (viewers read, members write,
 * outsiders are forbidden), every refusal before anything is stored or published, channels checked
 * against the project's, each change published for the sync as the `alert` kind with a payload the
 * sync's checks accept.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { findMonitor } from '../../../../lambdas/domain/alerts/monitors/monitors';
import { checkSyncMessage } from '../../../../lambdas/domain/sync/messages';
import { desiredChanges } from '../../../../lambdas/sync-reconciler/app';
import { syncMessageOf } from '../../../support/sync-message';
import { bodyOf, buildFixture, type Fixture, request } from '../../control-plane/fixture';
import { aChannel, ERROR_COUNT_MONITOR } from '../alerts-fixtures';

const MONITOR = { ...ERROR_COUNT_MONITOR, filters: [{ field: 'error', operator: 'exists', type: 'string' }] };

let fixture: Fixture;
beforeEach(async () => {
  fixture = await buildFixture();
  // The fixture's own monitor is not this test's.
  await fixture.store.delete({ kind: 'monitor', org_id: fixture.orgA, id: fixture.monitorId }, 1);
  await fixture.store.put(
    aChannel({ org_id: fixture.orgA, workspace_id: fixture.w1, project_id: fixture.projectId }),
  );
});

const path = (suffix = '') => `/v1/projects/${fixture.projectId}/monitors${suffix}`;
const call = (method: string, user: string, suffix = '', body?: unknown) =>
  fixture.api(request({ method, path: path(suffix), user, ...(body !== undefined && { body }) }));

describe('monitors API', () => {
  it('creates, lists, reads, patches and deletes, publishing each change', async () => {
    const created = await call('POST', 'member', '', MONITOR);
    expect(created.statusCode).toBe(201);
    const monitor = bodyOf(created) as { id: string; version: number; condition: string };
    expect(monitor).toMatchObject({ name: 'model errors', version: 1, condition: 'above', paused: false });
    expect(bodyOf(await call('GET', 'viewer'))).toEqual([monitor]);
    expect(bodyOf(await call('GET', 'viewer', `/${monitor.id}`))).toEqual(monitor);
    const patched = await call('PATCH', 'member', `/${monitor.id}`, { paused: true });
    expect(bodyOf(patched)).toMatchObject({ paused: true, version: 2 });
    // The same patch again changes nothing and publishes nothing.
    await call('PATCH', 'member', `/${monitor.id}`, { paused: true });
    expect((await call('DELETE', 'member', `/${monitor.id}`)).statusCode).toBe(200);
    expect((await call('GET', 'viewer', `/${monitor.id}`)).statusCode).toBe(404);
    expect(fixture.changes.published.map((change) => [change.type, change.version])).toEqual([
      ['alert.upserted', 1],
      ['alert.upserted', 2],
      ['alert.deleted', 3],
    ]);
    // Each payload passes the data plane's checks of a sync message.
    for (const change of fixture.changes.published)
      expect(() => checkSyncMessage(syncMessageOf(change, monitor.id))).not.toThrow();
  });

  it('lets viewers read but not write, and outsiders nothing', async () => {
    expect((await call('POST', 'viewer', '', MONITOR)).statusCode).toBe(403);
    // An outsider naming org A is forbidden; in their own organization the project does not exist.
    const asOutsider = (method: string) =>
      fixture.api(
        request({ method, path: path(), user: 'other', query: { org_id: fixture.orgA }, body: MONITOR }),
      );
    expect((await asOutsider('POST')).statusCode).toBe(403);
    expect((await asOutsider('GET')).statusCode).toBe(403);
    expect((await call('GET', 'other')).statusCode).toBe(404);
    expect((await call('GET', 'viewer')).statusCode).toBe(200);
    expect((await fixture.api(request({ method: 'GET', path: path() }))).statusCode).toBe(401);
    expect(fixture.changes.published).toEqual([]);
  });

  it.each([
    [{ ...MONITOR, channels: ['nope'] }, 'channels[0]: no channel nope in this project'],
    [
      { ...MONITOR, filters: [{ field: 'inputs.q', operator: 'exists', type: 'string' }] },
      'per-minute rollups',
    ],
    [{ ...MONITOR, window_minutes: 1 }, 'window_minutes'],
    [{ ...MONITOR, warning: 5, critical: 1 }, 'critical must be above warning'],
  ])('refuses %j with 400, storing and publishing nothing', async (body, message) => {
    const response = await call('POST', 'member', '', body);
    expect(response.statusCode).toBe(400);
    expect((bodyOf(response) as { error: string }).error).toContain(message);
    expect(await fixture.store.listByOrg('monitor', fixture.orgA)).toEqual([]);
    expect(fixture.changes.published).toEqual([]);
  });

  it('refuses a bad patch and keeps the monitor as it was', async () => {
    const monitor = bodyOf(await call('POST', 'member', '', MONITOR)) as { id: string };
    const response = await call('PATCH', 'member', `/${monitor.id}`, { aggregation: 'p42' });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(await call('GET', 'viewer', `/${monitor.id}`))).toMatchObject({
      aggregation: 'count',
      version: 1,
    });
    expect(fixture.changes.published).toHaveLength(1);
  });

  it('answers the states and history the data plane reported, newest state first even when reports come out of order', async () => {
    const monitor = bodyOf(await call('POST', 'member', '', MONITOR)) as { id: string };
    const { orgA: org_id, projectId: project_id } = fixture;
    const report = (state: 'ok' | 'critical', previous: 'unknown' | 'ok' | 'critical', at: number) => ({
      org_id,
      project_id,
      monitor_id: monitor.id,
      status: {
        state,
        alerting: state === 'critical' ? ('critical' as const) : null,
        value: state === 'critical' ? 3 : 0,
        threshold: 0,
        since: at,
        evaluated_at: at,
      },
      change: {
        monitor_id: monitor.id,
        at,
        state,
        previous_state: previous,
        value: state === 'critical' ? 3 : 0,
        threshold: 0,
        notification_id: null,
      },
    });
    const t0 = Date.parse('2026-12-01T00:00:00Z');
    // The critical change arrives before the earlier ok one (a standard queue's order), and twice.
    await fixture.monitorStates.record(report('critical', 'ok', t0 + 120_000));
    await fixture.monitorStates.record(report('ok', 'unknown', t0 + 60_000));
    await fixture.monitorStates.record(report('critical', 'ok', t0 + 120_000));
    const answer = await call('GET', 'viewer', `/${monitor.id}/history`);
    expect(answer.statusCode).toBe(200);
    expect(bodyOf(answer)).toEqual([
      expect.objectContaining({ state: 'critical', previous_state: 'ok', at: t0 + 120_000 }),
      expect.objectContaining({ state: 'ok', previous_state: 'unknown', at: t0 + 60_000 }),
    ]);
    // The list and the monitor carry the newest reported state, not the last to arrive.
    expect(bodyOf(await call('GET', 'viewer', ''))).toEqual([
      expect.objectContaining({ id: monitor.id, state: 'critical', value: 3 }),
    ]);
    expect(bodyOf(await call('GET', 'viewer', `/${monitor.id}`))).toMatchObject({ state: 'critical' });
    // A monitor nothing was reported for yet has no state.
    const fresh = bodyOf(await call('POST', 'member', '', MONITOR)) as { id: string };
    expect(bodyOf(await call('GET', 'viewer', `/${fresh.id}`))).not.toHaveProperty('state');
    const outsider = await fixture.api(
      request({
        method: 'GET',
        path: path(`/${monitor.id}/history`),
        user: 'other',
        query: { org_id: fixture.orgA },
      }),
    );
    expect(outsider.statusCode).toBe(403);
  });

  it('is reconciled like the other synced kinds: its current version, checked by the sync', async () => {
    const monitor = bodyOf(await call('POST', 'member', '', MONITOR)) as { id: string };
    await call('PATCH', 'member', `/${monitor.id}`, { critical: 2 });
    const record = await findMonitor(
      fixture.context,
      (await fixture.store.get({ kind: 'project', org_id: fixture.orgA, id: fixture.projectId })) as never,
      monitor.id,
    );
    const changes = desiredChanges({ projects: [], apiKeys: [], monitors: [record] });
    expect(changes).toEqual([
      expect.objectContaining({ kind: 'alert.upserted', entityId: monitor.id, entityVersion: 2 }),
    ]);
  });

  it('answers 404 for another project or an unknown monitor', async () => {
    expect((await call('GET', 'owner', '/unknown')).statusCode).toBe(404);
    const response = await fixture.api(
      request({ method: 'GET', path: '/v1/projects/nope/monitors', user: 'owner' }),
    );
    expect(response.statusCode).toBe(404);
  });
});
