/**
 * The console's Review page end to end in Chromium, against the local platform with its control
 * plane: a human metric made through the metrics API is a queue of the events it picks that have no
 * value of it; the signed-in admin passes one with a comment, and the event then carries the score in
 * `metrics` and who reviewed it in `feedback` through the read API, and leaves the queue. A tool event
 * the metric does not pick is added to its queue by hand from the event's detail, listed with who
 * added it, and reviewed: its feedback keeps the queue marker beside the review.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitForSession } from '../support/console-browser';
import { consoleRigForFile } from '../support/console-for-file';
import { eventually, readApi } from '../support/read-api-client';

const UI_TIMEOUT = 30_000;
const METRIC = `tone_${randomUUID().slice(0, 8)}`;

const rig = consoleRigForFile({ width: 1280, height: 1000 });
let api: ReturnType<typeof readApi>;
let sessionId: string;
const eventIds: string[] = [];
let toolEventId: string;

beforeAll(async () => {
  api = readApi(rig.cp.platform.url, rig.cp.platform.apiKey);
  const created = await api.post('/metrics', {
    name: METRIC,
    task: 'default',
    type: 'human',
    description: '',
    criteria: 'Is the answer polite?',
    return_type: 'boolean',
    event_type: 'model',
  });
  expect(created.status, await created.clone().text()).toBe(200);
  // Listed once config sync has brought it to the data plane.
  await eventually(async () => {
    const listed = (await (await api.request('GET', '/v1/metrics')).json()) as { name: string }[];
    return listed.some((metric) => metric.name === METRIC) ? true : undefined;
  }, 30_000);

  const start = Date.now() - 60_000;
  const started = await api.post('/session/start', {
    session: { project: 'default', session_name: 'review-e2e', source: 'e2e', start_time: start },
  });
  sessionId = ((await started.json()) as { session_id: string }).session_id;
  for (const [index, answer] of ['Happy to help!', 'Read the manual.'].entries()) {
    const eventId = randomUUID();
    eventIds.push(eventId);
    const sent = await api.post('/events', {
      event: {
        event_id: eventId,
        event_type: 'model',
        event_name: `answer ${index + 1}`,
        session_id: sessionId,
        parent_id: sessionId,
        config: { model: 'gpt-4o-mini', provider: 'openai' },
        inputs: { question: 'Can you help?' },
        outputs: { role: 'assistant', content: answer },
        start_time: start + 100 * (index + 1),
        duration: 500,
      },
    });
    expect(sent.status).toBe(200);
  }
  // A tool event: the metric (event_type model) does not pick it; it is added to the queue by hand.
  toolEventId = randomUUID();
  const tool = await api.post('/events', {
    event: {
      event_id: toolEventId,
      event_type: 'tool',
      event_name: 'lookup',
      session_id: sessionId,
      parent_id: sessionId,
      inputs: { query: 'opening hours' },
      outputs: { result: 'Open 9 to 5, weekdays.' },
      feedback: { note: 'from the support desk' },
      start_time: start + 400,
      duration: 200,
    },
  });
  expect(tool.status).toBe(200);
  await waitForSession(rig.cp.platform, sessionId, 3);
}, 180_000);

describe('the Review page in Chromium', () => {
  it("queues the human metric's events and writes a reviewer's verdict to the event", async () => {
    const { page, errors } = await rig.tab({ timeout: UI_TIMEOUT });
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Review' }).click();
      await page.getByRole('heading', { name: 'Review', level: 1 }).waitFor();
      await page.getByRole('button', { name: METRIC }).click();
      const queue = page.getByRole('region', { name: `Queue of ${METRIC}` });
      await queue.getByText('Is the answer polite?').waitFor();
      const item = queue.getByRole('article', { name: 'answer 1' });
      await item.getByText('Happy to help!').waitFor();
      await queue.getByRole('article', { name: 'answer 2' }).waitFor();
      await page.screenshot({ path: '/tmp/ui-review-page.png', fullPage: true });

      await item.getByLabel('Comment').fill('warm and clear');
      await item.getByRole('button', { name: '✓ Pass' }).click();
      await item.waitFor({ state: 'detached' });
      expect(await queue.getByRole('article').count()).toBe(1);

      const reviewed = await eventually(async () => {
        const { events } = await api.export({
          filters: [{ field: 'session_id', operator: 'is', value: sessionId, type: 'string' }],
        });
        const event = events.find((candidate) => candidate.event_id === eventIds[0]);
        return (event?.metrics as Record<string, unknown> | undefined)?.[METRIC] !== undefined
          ? event
          : undefined;
      }, 30_000);
      expect(reviewed.metrics).toEqual({ [METRIC]: true });
      expect((reviewed.feedback as Record<string, Record<string, unknown>>)[METRIC]).toMatchObject({
        reviewed_by: rig.cp.admin.email,
        comment: 'warm and clear',
      });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it("adds an event to the metric's queue by hand from the event detail, and reviews it", async () => {
    const { page, errors } = await rig.tab({ timeout: UI_TIMEOUT });
    const stored = async () => {
      const { events } = await api.export({
        filters: [{ field: 'event_id', operator: 'is', value: toolEventId, type: 'string' }],
      });
      return events[0];
    };
    try {
      await page.goto(
        `${rig.cp.consoleUrl}projects/${rig.cp.platform.projectId}/sessions/${sessionId}?event=${toolEventId}`,
      );
      const detail = page.getByRole('region', { name: 'Event detail' });
      await detail.getByRole('heading', { name: 'lookup' }).waitFor();
      const add = detail.getByRole('form', { name: 'Add to review' });
      await add.getByLabel('Human metric').selectOption({ label: METRIC });
      await add.getByRole('button', { name: 'Add to review' }).click();
      const queued = add.getByTestId('review-queued');
      await queued.waitFor();
      expect(await queued.textContent()).toContain(
        `In the review queue of ${METRIC} (added by ${rig.cp.admin.email}`,
      );
      await page.screenshot({ path: '/tmp/ui-review-add.png', fullPage: true });

      // The marker reaches the stored event beside its other feedback.
      const marked = await eventually(async () => {
        const event = await stored();
        const entry = (event?.feedback as Record<string, Record<string, unknown>> | undefined)?.[METRIC];
        return entry?.queued_at !== undefined ? event : undefined;
      }, 30_000);
      expect(marked.feedback).toMatchObject({
        note: 'from the support desk',
        [METRIC]: { queued_by: rig.cp.admin.email },
      });

      // The queue lists it (the metric's own selection does not pick a tool event), marked as added by hand.
      await queued.getByRole('link', { name: 'Open the queue' }).click();
      const queue = page.getByRole('region', { name: `Queue of ${METRIC}` });
      const item = queue.getByRole('article', { name: 'lookup' });
      await item.getByText('Open 9 to 5, weekdays.').waitFor();
      expect(await item.getByTestId('queued-by').textContent()).toContain(`added by ${rig.cp.admin.email}`);
      await page.screenshot({ path: '/tmp/ui-review-queued.png', fullPage: true });
      await item.getByLabel('Comment').fill('correct hours');
      await item.getByRole('button', { name: '✗ Fail' }).click();
      await item.waitFor({ state: 'detached' });

      const reviewed = await eventually(async () => {
        const event = await stored();
        return (event?.metrics as Record<string, unknown> | undefined)?.[METRIC] !== undefined
          ? event
          : undefined;
      }, 30_000);
      expect(reviewed.metrics).toEqual({ [METRIC]: false });
      // The review keeps the queue marker and the event's other feedback.
      expect(reviewed.feedback).toMatchObject({
        note: 'from the support desk',
        [METRIC]: {
          queued_by: rig.cp.admin.email,
          queued_at: (marked.feedback as Record<string, Record<string, unknown>>)[METRIC]?.queued_at,
          reviewed_by: rig.cp.admin.email,
          comment: 'correct hours',
        },
      });
      // Reviewed, it is in the queue no more.
      await page.reload();
      // Both reads done: the other event is listed and Refresh is enabled again (disabled while fetching).
      await queue.getByRole('article', { name: 'answer 2' }).waitFor();
      await queue.locator('button:enabled', { hasText: 'Refresh' }).waitFor();
      expect(await queue.getByRole('article', { name: 'lookup' }).count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);
});
