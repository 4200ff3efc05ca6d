/**
 * Monitors on the local platform, end to end (the alerts issue's "done means"): a threshold monitor
 * on the error count of model events, made through the control plane's API and synced to the data
 * plane, goes ok -> critical -> ok as errors are sent and stop, and a webhook receiver on 127.0.0.1
 * gets exactly two notifications, critical then resolution, each signed as Standard Webhooks do
 * (checked with the `standardwebhooks` verifier and with the algorithm written out), each within two
 * minutes of its change. The events go through the intake, the writer's rollups and the DuckDB
 * view; "the errors stop" is the evaluator's clock moved past the 5-minute window, so the test does
 * not wait the window out.
 */
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, readApi } from '../support/read-api-client';
import { platformForFile, WITH_CONTROL_PLANE } from '../support/temp-platform';
import { startWebhookReceiver, type WebhookReceiver, webhookHeadersOf } from '../support/webhook-receiver';

const TWO_MINUTES = 120_000;
let offset = 0;
const local = platformForFile('waggle-monitors-e2e-', {
  ...WITH_CONTROL_PLANE,
  monitors: { intervalSeconds: 0.5, clock: () => Date.now() + offset },
});
let receiver: WebhookReceiver;
let token: string;
let projectUrl: string;
let secret: string;
let monitorId: string;

async function call(method: string, url: string, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}

async function sendModelEvents(count: number, error: string | null) {
  const api = readApi(local.platform.url, local.platform.apiKey);
  for (let index = 0; index < count; index++) {
    const response = await api.post('/events', {
      event: {
        project: 'default',
        event_type: 'model',
        event_name: 'chat',
        source: 'monitors-e2e',
        config: { model: 'gpt-4o-mini', provider: 'openai' },
        inputs: { question: 'secret question' },
        outputs: { content: 'secret answer' },
        start_time: Date.now(),
        duration: 120,
        ...(error !== null && { error }),
      },
    });
    expect(response.status, await response.clone().text()).toBe(200);
  }
}

async function stateOf(): Promise<string | undefined> {
  const statuses = await local.platform.monitors?.statuses.load(local.platform.projectId, [monitorId]);
  return statuses?.get(monitorId)?.state;
}

function expectedSignature(id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

function verified(index: number): Record<string, unknown> {
  const request = receiver.received[index];
  if (!request) throw new Error(`no request ${index}`);
  const headers = webhookHeadersOf(request);
  expect(headers['webhook-signature'].split(' ')).toContain(
    expectedSignature(headers['webhook-id'], headers['webhook-timestamp'], request.body),
  );
  return new Webhook(secret).verify(request.body, headers) as Record<string, unknown>;
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  const controlPlane = local.platform.controlPlane;
  const bootstrap = controlPlane?.bootstrap;
  if (!controlPlane || !bootstrap) throw new Error('the first start must create the admin');
  const signIn = await fetch(`${controlPlane.url}/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: bootstrap.email, password: bootstrap.password }),
  });
  token = ((await signIn.json()) as { id_token: string }).id_token;
  projectUrl = `${controlPlane.url}/v1/projects/${bootstrap.project_id}`;
  expect(bootstrap.project_id).toBe(local.platform.projectId);
});

afterAll(() => receiver?.close());

describe('a threshold monitor on model-event errors', () => {
  it('is made through the API, refusing what rollups cannot answer', async () => {
    const channel = await call('POST', `${projectUrl}/channels`, {
      type: 'webhook',
      name: 'receiver',
      url: `${receiver.url}/hooks`,
      severities: ['critical', 'warning', 'resolution'],
    });
    expect(channel.status).toBe(201);
    secret = channel.body.secret;
    const definition = {
      name: 'model errors',
      event_type: 'model',
      filters: [{ field: 'error', operator: 'exists', type: 'string' }],
      aggregation: 'count',
      field: 'errors',
      window_minutes: 5,
      warning: null,
      critical: 0,
      channels: [channel.body.id],
    };
    const refused = await call('POST', `${projectUrl}/monitors`, {
      ...definition,
      filters: [{ field: 'inputs.question', operator: 'contains', value: 'x', type: 'string' }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain('per-minute rollups');
    const created = await call('POST', `${projectUrl}/monitors`, definition);
    expect(created.status).toBe(201);
    monitorId = created.body.id;
    expect((await call('GET', `${projectUrl}/monitors`)).body.map((m: { id: string }) => m.id)).toEqual([
      monitorId,
    ]);
  });

  it('goes ok with events and no errors, notifying nothing', async () => {
    await sendModelEvents(2, null);
    await eventually(async () => ((await stateOf()) === 'ok' ? true : undefined), 30_000);
    expect(receiver.received).toEqual([]);
  });

  it('goes critical once errors arrive, and the receiver gets one signed notification', async () => {
    const sent = Date.now();
    await sendModelEvents(3, 'rate limited');
    await eventually(async () => (receiver.received.length >= 1 ? true : undefined), TWO_MINUTES);
    expect(Date.now() - sent).toBeLessThan(TWO_MINUTES);
    const payload = verified(0);
    expect(payload.type).toBe('monitor.state_changed');
    expect(payload.data).toMatchObject({
      monitor_id: monitorId,
      monitor_name: 'model errors',
      state: 'critical',
      previous_state: 'ok',
      severity: 'critical',
      value: 3,
      threshold: 0,
      window_minutes: 5,
    });
    // Figures only: nothing of the events' contents leaves the data plane.
    expect(receiver.received[0]?.body).not.toContain('secret');
    expect(receiver.received[0]?.body).not.toContain('rate limited');
    expect(await stateOf()).toBe('critical');
  });

  it('resolves once the errors leave the window, with a second notification', async () => {
    // The errors stop: five minutes on, the window holds none of them.
    const stopped = Date.now();
    offset = 5 * 60_000;
    await eventually(async () => (receiver.received.length >= 2 ? true : undefined), TWO_MINUTES);
    expect(Date.now() - stopped).toBeLessThan(TWO_MINUTES);
    const payload = verified(1);
    expect(payload.data).toMatchObject({
      monitor_id: monitorId,
      state: 'ok',
      previous_state: 'critical',
      severity: 'resolution',
      value: 0,
    });
    expect(webhookHeadersOf(receiver.received[1] as never)['webhook-id']).not.toBe(
      webhookHeadersOf(receiver.received[0] as never)['webhook-id'],
    );
    // Several more evaluations: still exactly the two notifications.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(receiver.received).toHaveLength(2);
    // The history through the control plane's API, newest first.
    const history = await call('GET', `${projectUrl}/monitors/${monitorId}/history`);
    expect(history.status).toBe(200);
    expect(history.body.map((entry: { state: string }) => entry.state)).toEqual(['ok', 'critical', 'ok']);
    expect(history.body[1]).toMatchObject({ previous_state: 'ok', value: 3, threshold: 0 });
    expect(history.body[1].notification_id).toBe(
      webhookHeadersOf(receiver.received[0] as never)['webhook-id'],
    );
  });

  it('pauses through PATCH (synced to the data plane), silently', async () => {
    const patched = await call('PATCH', `${projectUrl}/monitors/${monitorId}`, { paused: true });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ paused: true, version: 2 });
    const refused = await call('PATCH', `${projectUrl}/monitors/${monitorId}`, { window_minutes: 2 });
    expect(refused.status).toBe(400);
    await eventually(async () => ((await stateOf()) === 'paused' ? true : undefined), 30_000);
    expect(receiver.received).toHaveLength(2);
  });
});
