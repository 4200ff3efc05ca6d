/**
 * The local control plane reconciles its data plane on a timer, as the AWS schedule does: a project
 * whose change message never reached the data plane (written to the control-plane store behind the
 * sync's back) arrives on the next reconciliation.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoControlPlaneStore } from '../../lambdas/adapters/aws/control-plane-store';
import { DynamoKeyRegistry } from '../../lambdas/adapters/aws/dynamo-key-registry';
import { type LocalControlPlane, startLocalControlPlane } from '../../lambdas/local/control-plane';
import { LOCAL_CONTROL_PLANE_TABLE } from '../../lambdas/local/control-plane-table';
import {
  ensureKeyTable,
  LOCAL_KEY_TABLE,
  type LocalDynamo,
  startLocalDynamo,
} from '../../lambdas/local/dynamo-local';
import { createLogger } from '../../lambdas/local/logger';
import { eventually } from '../support/read-api-client';

let dataDir: string;
let dynamo: LocalDynamo;
let controlPlane: LocalControlPlane;
const lines: { level: string; msg: string }[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waggle-reconcile-'));
  dynamo = await startLocalDynamo(undefined);
  await ensureKeyTable(dynamo.client, LOCAL_KEY_TABLE);
  controlPlane = await startLocalControlPlane({
    port: 0,
    dataDir,
    dynamo: dynamo.client,
    keyRegistry: new DynamoKeyRegistry(dynamo.client, LOCAL_KEY_TABLE),
    dataPlaneId: 'local',
    syncBatchingWindowMs: 20,
    reconcileIntervalMs: 100,
    // Reports soon after start, so the data plane's state is known (not empty) when the project is lost.
    heartbeatIntervalMs: 100,
    logger: createLogger({ level: 'debug', format: 'json', write: (line) => lines.push(JSON.parse(line)) }),
  });
});

afterAll(async () => {
  await controlPlane?.close();
  await dynamo?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('local reconciliation timer', () => {
  it('delivers a change made moments ago without calling it drift: it may still be on its way', async () => {
    // The data plane has applied the first start's project and reported it (heartbeats every 100 ms).
    expect(
      await eventually(() => controlPlane.projectName(controlPlane.bootstrap?.project_id as string)),
    ).toBe('default');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const warnings = () => lines.filter((line) => line.level === 'warn').length;
    const before = warnings();
    const store = new DynamoControlPlaneStore(dynamo.client, LOCAL_CONTROL_PLANE_TABLE);
    const now = new Date().toISOString();
    await store.put({
      kind: 'project',
      org_id: 'org-young',
      id: 'proj-young',
      version: 1,
      created_at: now,
      updated_at: now,
      workspace_id: 'ws-young',
      name: 'just made',
    });
    expect(await eventually(() => controlPlane.projectName('proj-young'))).toBe('just made');
    expect(
      await eventually(async () => lines.find((line) => /had not reported yet \(in flight\)/.test(line.msg))),
    ).toMatchObject({ level: 'debug' });
    expect(warnings()).toBe(before);
  });

  it('delivers a project whose change message was lost, and says so as repaired drift', async () => {
    // The data plane has applied the first start's project and reported it (heartbeats every 100 ms):
    // from here on, a missing change is drift, not the refill of a data plane that just started.
    const bootstrapProject = controlPlane.bootstrap?.project_id as string;
    expect(await eventually(() => controlPlane.projectName(bootstrapProject))).toBe('default');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lines.filter((line) => line.level === 'warn')).toEqual([]);
    const store = new DynamoControlPlaneStore(dynamo.client, LOCAL_CONTROL_PLANE_TABLE);
    // Lost a minute ago: older than any change still on its way, so its absence is drift.
    const now = new Date(Date.now() - 60_000).toISOString();
    await store.put({
      kind: 'project',
      org_id: 'org-lost',
      id: 'proj-lost',
      version: 1,
      created_at: now,
      updated_at: now,
      workspace_id: 'ws-lost',
      name: 'never announced',
    });
    expect(await controlPlane.projectName('proj-lost')).toBeUndefined();
    expect(await eventually(() => controlPlane.projectName('proj-lost'))).toBe('never announced');
    const repaired = await eventually(async () =>
      lines.find((line) => /the data plane lacked 1 made before its last report/.test(line.msg)),
    );
    expect(repaired).toMatchObject({ level: 'warn' });
    expect(repaired.msg).toMatch(/reconciliation sent [1-9]\d* change\(s\) again/);
  });
});
