/**
 * On the local platform, a HoneyHive PUT /events that reaches the writer before the event it
 * updates is kept pending, not retried and not dead-lettered, and the event reads back with it.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { eventually, readApi } from '../support/read-api-client';
import { platformForFile } from '../support/temp-platform';

const local = platformForFile('waggle-pending-e2e-', {
  writer: { maximumBatchingWindowMs: 50, visibilityTimeoutMs: 60_000 },
  log: () => {},
});

/** Waits until the writer has taken every queued message and none waits for a retry. */
async function writerIdle(): Promise<void> {
  await eventually(async () => {
    const depth = local.platform.eventsQueue.depth();
    return depth.visible === 0 && depth.inFlight === 0 ? true : undefined;
  });
}

it('keeps an update that comes first and reads the event back with it', async () => {
  const api = readApi(local.platform.url, local.platform.apiKey);
  const eventId = randomUUID();
  const update = await api.request('PUT', '/events', {
    event_id: eventId,
    feedback: { rating: 4 },
    metadata: { reviewed: true },
  });
  expect(update.status).toBe(200);
  await writerIdle();
  // Not retried (the visibility timeout is a minute: an idle queue means it was taken for good)...
  expect(local.platform.eventsDeadLetterQueue.depth()).toEqual({ visible: 0, inFlight: 0 });
  expect((await api.request('GET', `/v1/events/${eventId}`)).status).toBe(404);

  const created = await api.post('/events', {
    event: {
      event_id: eventId,
      event_type: 'tool',
      event_name: 'lookup',
      inputs: { q: 'x' },
      outputs: { a: 'y' },
      metadata: { origin: 'client' },
      start_time: Date.now(),
      duration: 10,
    },
  });
  expect(created.status).toBe(200);
  const event = await eventually(async () => {
    const response = await api.request('GET', `/v1/events/${eventId}`);
    if (response.status !== 200) return undefined;
    const body = (await response.json()) as Record<string, unknown>;
    const found = (body.event ?? body) as Record<string, unknown>;
    return (found.feedback as Record<string, unknown> | undefined)?.rating === 4 ? found : undefined;
  });
  expect(event).toMatchObject({ feedback: { rating: 4 }, metadata: { origin: 'client', reviewed: true } });
  await writerIdle();
  expect(local.platform.eventsDeadLetterQueue.depth()).toEqual({ visible: 0, inFlight: 0 });
});
