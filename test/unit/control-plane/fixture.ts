/**
 * A control plane with one organization laid out for authorization tests: org A (workspaces w1, w2;
 * project "alpha" in w1 with one key) whose users hold each role, an outsider, and the owner of org B.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createControlPlaneApi } from '../../../lambdas/control-plane-api/app';
import { parseMonitorInput } from '../../../lambdas/domain/alerts/monitors/definition';
import { memoryStateBoard } from '../../../lambdas/domain/alerts/monitors/memory-state-board';
import { createMonitor } from '../../../lambdas/domain/alerts/monitors/monitors';
import type { MonitorStateBoard } from '../../../lambdas/domain/alerts/monitors/transition-report';
import { createKey } from '../../../lambdas/domain/control-plane/api-keys';
import { MemoryChangePublisher } from '../../../lambdas/domain/control-plane/changes';
import { type ControlPlaneContext, controlPlaneContext } from '../../../lambdas/domain/control-plane/context';
import { MemoryControlPlaneStore } from '../../../lambdas/domain/control-plane/memory-store';
import { createProject } from '../../../lambdas/domain/control-plane/projects';
import {
  createOrganization,
  createWorkspace,
  setMembership,
} from '../../../lambdas/domain/control-plane/tenancy';
import { jwtAuthorizerActor } from '../../../lambdas/http/jwt-authorizer-actor';
import { apigwEvent } from '../../support/apigw-event';
import { ERROR_COUNT_MONITOR } from '../alerts/alerts-fixtures';

export const START = Date.UTC(2026, 0, 1);

/** A valid monitor definition naming no channel. */
export const FIXTURE_MONITOR = { ...ERROR_COUNT_MONITOR, channels: [] };

export interface Fixture {
  store: MemoryControlPlaneStore;
  changes: MemoryChangePublisher;
  context: ControlPlaneContext;
  api: ReturnType<typeof createControlPlaneApi>;
  /** The monitor states the API reads: tests record reports on it as the notification sender does. */
  monitorStates: MonitorStateBoard;
  orgA: string;
  orgB: string;
  w1: string;
  w2: string;
  projectId: string;
  keyId: string;
  /** A monitor of project "alpha" (no channels). */
  monitorId: string;
  /** Moves the fixture's clock forward. */
  advance(ms: number): void;
}

export async function buildFixture(): Promise<Fixture> {
  const store = new MemoryControlPlaneStore();
  const changes = new MemoryChangePublisher();
  let now = START;
  let counter = 0;
  const deps = { store, changes, clock: () => now, newId: () => `id${++counter}` };
  const context = controlPlaneContext(deps);
  const { organization } = await createOrganization(
    context,
    { user_id: 'owner', email: 'owner@a.test' },
    { name: 'A' },
  );
  const orgA = organization.id;
  const w1 = organization.default_workspace_id;
  const w2 = (await createWorkspace(context, orgA, { name: 'Second' })).id;
  for (const role of ['admin', 'member', 'viewer'] as const) {
    await setMembership(context, { org_id: orgA, user_id: role, role });
  }
  await setMembership(context, { org_id: orgA, user_id: 'ws-admin', workspace_id: w1, role: 'admin' });
  await setMembership(context, { org_id: orgA, user_id: 'newbie', role: 'viewer' });
  await setMembership(context, { org_id: orgA, user_id: 'newbie', workspace_id: w1, role: 'viewer' });
  const project = await createProject(context, { org_id: orgA, workspace_id: w1 }, { name: 'alpha' });
  const { record } = await createKey(context, project, { scopes: ['ingest'], created_by: 'owner' });
  const monitor = await createMonitor(context, project, parseMonitorInput(FIXTURE_MONITOR));
  const orgB = (await createOrganization(context, { user_id: 'other' }, { name: 'B' })).organization.id;
  changes.published.length = 0;
  // The monitor states the data planes reported: none yet (the routes' own tests report some).
  const monitorStates = memoryStateBoard();
  const api = createControlPlaneApi({ ...deps, actorFrom: jwtAuthorizerActor(store), monitorStates });
  return {
    store,
    changes,
    context,
    api,
    monitorStates,
    orgA,
    orgB,
    w1,
    w2,
    projectId: project.id,
    keyId: record.id,
    monitorId: monitor.id,
    advance: (ms) => {
      now += ms;
    },
  };
}

/** A request as API Gateway delivers it behind the JWT authorizer; user undefined = no claims. */
export function request(options: {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  user?: string;
}): APIGatewayProxyEventV2 {
  const event = apigwEvent({
    method: options.method,
    path: options.path,
    headers: { 'content-type': 'application/json' },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    base64: false,
  });
  event.rawQueryString = new URLSearchParams(options.query ?? {}).toString();
  if (options.user !== undefined) {
    const claims = { sub: options.user, email: `${options.user}@example.test` };
    Object.assign(event.requestContext, { authorizer: { jwt: { claims, scopes: [] } } });
  }
  return event;
}

export function bodyOf(result: { body?: string }): unknown {
  return JSON.parse(result.body ?? 'null');
}
