/**
 * The console's Evaluators page end to end in Chromium, against the local platform with its control
 * plane: a signed-in admin creates a Python metric through the page (the data plane forwards the
 * write to the control plane, the metric comes back through config sync and is listed), sees the
 * API's refusal of a second metric of the same name, dry-runs the metric on a stored event
 * (run_metric in the local Python sandbox) and sees the score; the event's own metric value of that
 * name shows as passing in the event detail, in words beside the colour. Then every other type
 * through the form: a composite of the Python metric (chosen among the project's metrics, weighted)
 * dry-run on the chosen event, a human metric with reviewers' instructions and a filter, and the
 * Python metric's filters edited and saved as a new version (read back through the metrics API and
 * in the form after a reload).
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitForSession } from '../support/console-browser';
import { consoleRigForFile } from '../support/console-for-file';
import { readApi } from '../support/read-api-client';

const UI_TIMEOUT = 30_000;
const METRIC = `answer_words_${randomUUID().slice(0, 8)}`;
const COMPOSITE = `overall_${randomUUID().slice(0, 8)}`;
const HUMAN = `tone_${randomUUID().slice(0, 8)}`;
const CODE = `def ${METRIC}(event):
    words = event["outputs"].get("content", "").split()
    print("counted", len(words))
    return len(words)
`;

const rig = consoleRigForFile({ width: 1280, height: 1000 });
let sessionId: string;
let eventId: string;

/** A session with one model event whose answer has four words and which carries a value of the metric. */
async function storeEvent(): Promise<void> {
  const api = readApi(rig.cp.platform.url, rig.cp.platform.apiKey);
  const post = async (path: string, body: unknown) => {
    const response = await api.post(path, body);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };
  const start = Date.now() - 60_000;
  const started = await post('/session/start', {
    session: { project: 'default', session_name: 'evaluators-e2e', source: 'e2e', start_time: start },
  });
  sessionId = String(started.session_id);
  eventId = randomUUID();
  await post('/events', {
    event: {
      event_id: eventId,
      event_type: 'model',
      event_name: 'answer',
      session_id: sessionId,
      parent_id: sessionId,
      config: { model: 'gpt-4o-mini', provider: 'openai' },
      inputs: { question: 'How many words?' },
      outputs: { role: 'assistant', content: 'four words right here' },
      metrics: { [METRIC]: 4, latency_score: 0.5 },
      start_time: start + 100,
      duration: 800,
    },
  });
  await waitForSession(rig.cp.platform, sessionId, 1);
}

beforeAll(async () => {
  await storeEvent();
}, 180_000);

/** A signed-in tab; page errors and CSP refusals are collected. */
const signedIn = () => rig.tab({ timeout: UI_TIMEOUT });

describe('the Evaluators page in Chromium', () => {
  it('creates a Python metric, lists it, shows a refusal, and dry-runs it on a stored event', async () => {
    const { page, errors } = await signedIn();
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Evaluators' }).click();
      await page.getByRole('heading', { name: 'Evaluators', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'New evaluator' }).click();
      await page.getByLabel('Name', { exact: true }).fill(METRIC);
      await page.getByLabel('Python code').fill(CODE);
      await page.getByLabel('Passes at least').fill('3');
      await page.getByLabel('Sampling %').fill('50');
      await page.getByRole('button', { name: 'Create evaluator' }).click();

      // Created through the control plane, then listed from the data plane's synced copy.
      await page.getByRole('heading', { name: `Edit ${METRIC} (v1)` }).waitFor();
      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: METRIC }) });
      expect(await row.getByRole('cell').allTextContents()).toEqual([
        'Python (custom)',
        'float',
        '≥ 3',
        'Off',
        '50%',
        'v1',
        'Edit',
      ]);
      await page.getByRole('table', { name: 'Versions' }).getByRole('rowheader', { name: 'v1' }).waitFor();

      // Dry run of the stored metric on the stored event: Python in the local sandbox.
      await page.getByLabel('Event ID').fill(eventId);
      await page.getByRole('button', { name: 'Run on event' }).click();
      await page.getByTestId('dry-run-score').getByText('4').waitFor();
      expect(await page.getByTestId('dry-run-status').textContent()).toBe('ok');
      expect(await page.getByTestId('dry-run-passed').textContent()).toBe('✓ Pass');
      expect(await page.getByTestId('dry-run-explanation').textContent()).toContain('counted 4');
      await page.screenshot({ path: '/tmp/ui-evaluators-page.png', fullPage: true });

      // A second metric of the same name: the API's 409 in its own words.
      await page.getByRole('button', { name: 'New evaluator' }).click();
      await page.getByLabel('Name', { exact: true }).fill(METRIC);
      await page.getByRole('button', { name: 'Create evaluator' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Could not save' });
      await alert.waitFor();
      expect(await alert.textContent()).toContain(`A metric named "${METRIC}" exists in this project`);

      // An LLM judge's form: its prompt's variables, provider and model.
      await page.getByLabel('Type', { exact: true }).selectOption('model');
      await page.getByLabel('Judge prompt').fill('Is {{outputs.content}} an answer to {{inputs.question}}?');
      expect(await page.getByTestId('prompt-variables').textContent()).toBe(
        'Variables: {{outputs.content}}, {{inputs.question}}',
      );
      await page.getByLabel('Provider', { exact: true }).selectOption('openai');
      await page.getByLabel('Model', { exact: true }).fill('gpt-4o-mini');
      await page.getByLabel('Return type').selectOption('boolean');
      await page.getByLabel('Passes when').selectOption('true');
      await page.screenshot({ path: '/tmp/ui-evaluators-judge.png', fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it("marks the event's value of the metric as passing in the event detail", async () => {
    const { page, errors } = await signedIn();
    try {
      await page.goto(
        `${rig.cp.consoleUrl}projects/${rig.cp.platform.projectId}/sessions/${sessionId}?event=${eventId}`,
      );
      const metrics = page
        .getByRole('region', { name: 'Event detail' })
        .locator('section')
        .filter({ has: page.getByRole('heading', { name: 'Metrics' }) });
      const verdict = metrics.getByTestId('metric-verdict');
      await verdict.waitFor();
      expect(await verdict.textContent()).toBe('✓ Pass (passes at 3 or more)');
      // latency_score has no metric of its name: its value alone.
      expect(await metrics.getByTestId('metric-verdict').count()).toBe(1);
      expect(await metrics.textContent()).toContain('latency_score');
      await page.screenshot({ path: '/tmp/ui-evaluators-event.png', fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("creates a composite and a human metric, and edits a metric's filters, each saved", async () => {
    const { page, errors } = await signedIn();
    try {
      await page.goto(`${rig.cp.consoleUrl}projects/${rig.cp.platform.projectId}/evaluators`);
      await page.getByRole('heading', { name: 'Evaluators', level: 1 }).waitFor();

      // A composite of the Python metric, weighted, chosen among the project's metrics.
      await page.getByRole('button', { name: 'New evaluator' }).click();
      await page.getByLabel('Name', { exact: true }).fill(COMPOSITE);
      await page.getByLabel('Type', { exact: true }).selectOption('composite');
      await page.getByRole('button', { name: 'Create evaluator' }).click();
      await page.getByText('Add at least one child metric').waitFor();
      await page.getByRole('button', { name: 'Add child metric' }).click();
      await page.getByLabel('Child metric 1').selectOption({ label: `${METRIC} (Python (custom), float)` });
      await page.getByLabel('Weight 1').fill('2');
      await page.getByLabel('Passes at least').fill('3');
      await page.screenshot({ path: '/tmp/ui-evaluators-composite.png', fullPage: true });
      await page.getByRole('button', { name: 'Create evaluator' }).click();
      await page.getByRole('heading', { name: `Edit ${COMPOSITE} (v1)` }).waitFor();
      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: COMPOSITE }) });
      expect(await row.getByRole('cell').allTextContents()).toEqual([
        'Composite',
        'float',
        '≥ 3',
        'Off',
        '100%',
        'v1',
        'Edit',
      ]);
      // Its dry run on the chosen event: the weighted mean of its one child (4 words).
      await page.getByLabel('Event ID').fill(eventId);
      await page.getByRole('button', { name: 'Run on event' }).click();
      await page.getByTestId('dry-run-score').getByText('4').waitFor();
      expect(await page.getByTestId('dry-run-status').textContent()).toBe('ok');
      expect(await page.getByTestId('dry-run-passed').textContent()).toBe('✓ Pass');

      // A human metric: instructions for reviewers, a boolean verdict, one filter.
      await page.getByRole('button', { name: 'New evaluator' }).click();
      await page.getByLabel('Name', { exact: true }).fill(HUMAN);
      await page.getByLabel('Type', { exact: true }).selectOption('human');
      await page.getByLabel('Instructions for reviewers').fill('Is the answer polite?');
      await page.getByLabel('Return type').selectOption('boolean');
      await page.getByLabel('Passes when').selectOption('true');
      const filters = page.getByRole('group', { name: 'Filters' });
      await filters.getByRole('button', { name: 'Add filter' }).click();
      await filters.getByLabel('Field 1').fill('event_name');
      await filters.getByLabel('Value 1').fill('answer');
      await page.screenshot({ path: '/tmp/ui-evaluators-human.png', fullPage: true });
      await page.getByRole('button', { name: 'Create evaluator' }).click();
      await page.getByRole('heading', { name: `Edit ${HUMAN} (v1)` }).waitFor();

      // The Python metric's filters: a row without its value is refused in place, then saved.
      await page.getByRole('button', { name: `Edit ${METRIC}` }).click();
      await page.getByRole('heading', { name: new RegExp(`^Edit ${METRIC} \\(v`) }).waitFor();
      const version = Number(
        /\(v(\d+)\)/.exec((await page.getByRole('heading', { level: 2 }).first().textContent()) ?? '')?.[1],
      );
      await filters.getByRole('button', { name: 'Add filter' }).click();
      await filters.getByLabel('Field 1').fill('duration');
      await filters.getByLabel('Operator 1').selectOption('greater than');
      await page.getByRole('button', { name: 'Save as new version' }).click();
      expect(await filters.getByRole('alert').textContent()).toBe('Give a value for duration');
      await filters.getByLabel('Value 1').fill('100');
      await filters.getByRole('button', { name: 'Add filter' }).click();
      await filters.getByLabel('Field 2').fill('event_name');
      await filters.getByLabel('Value 2').fill('answer');
      await page.getByRole('button', { name: 'Save as new version' }).click();
      await page.getByRole('heading', { name: `Edit ${METRIC} (v${version + 1})` }).waitFor();

      // Saved: through the metrics API, and in the form of a fresh page.
      const listed = (await (
        await readApi(rig.cp.platform.url, rig.cp.platform.apiKey).request('GET', '/v1/metrics')
      ).json()) as {
        _id: string;
        name: string;
        type: string;
        criteria?: string;
        child_metrics?: unknown[];
        filters: { filterArray: unknown[] };
      }[];
      const byName = new Map(listed.map((metric) => [metric.name, metric]));
      const python = byName.get(METRIC);
      expect(python?.filters.filterArray).toEqual([
        { field: 'duration', operator: 'greater than', value: 100, type: 'number' },
        { field: 'event_name', operator: 'is', value: 'answer', type: 'string' },
      ]);
      expect(byName.get(COMPOSITE)?.child_metrics).toEqual([{ id: python?._id, name: METRIC, weight: 2 }]);
      expect(byName.get(HUMAN)).toMatchObject({
        type: 'human',
        criteria: 'Is the answer polite?',
        filters: { filterArray: [{ field: 'event_name', operator: 'is', value: 'answer', type: 'string' }] },
      });
      await page.goto(
        `${rig.cp.consoleUrl}projects/${rig.cp.platform.projectId}/evaluators?metric=${python?._id}`,
      );
      await page.getByRole('heading', { name: `Edit ${METRIC} (v${version + 1})` }).waitFor();
      expect(await filters.getByLabel('Field 1').inputValue()).toBe('duration');
      expect(await filters.getByLabel('Operator 1').inputValue()).toBe('greater than');
      expect(await filters.getByLabel('Value 1').inputValue()).toBe('100');
      expect(await filters.getByLabel('Value 2').inputValue()).toBe('answer');
      // The saved version (its filters included) dry-runs by id on the chosen event.
      await page.getByLabel('Event ID').fill(eventId);
      await page.getByRole('button', { name: 'Run on event' }).click();
      await page.getByTestId('dry-run-score').getByText('4').waitFor();
      expect(await page.getByTestId('dry-run-source').textContent()).toContain(
        `saved version ${version + 1}`,
      );
      await page.screenshot({ path: '/tmp/ui-evaluators-filters.png', fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 150_000);

  it('estimates and runs a backfill of the Python metric from its page, to the end', async () => {
    const { page, errors } = await signedIn();
    try {
      await page.goto(`${rig.cp.consoleUrl}projects/${rig.cp.platform.projectId}/evaluators`);
      await page.getByRole('button', { name: `Edit ${METRIC}` }).click();
      const panel = page.getByRole('region', { name: 'Backfill' });
      await panel.waitFor();
      await panel.getByRole('button', { name: 'Estimate' }).click();
      expect(await panel.getByTestId('backfill-estimate').textContent()).toMatch(
        /^About \d+ of \d+ matching events/,
      );
      await panel.getByRole('button', { name: 'Run backfill' }).click();
      await panel.getByTestId('backfill-status').getByText('SUCCEEDED').waitFor({ timeout: 60_000 });
      expect(await panel.getByTestId('backfill-run').textContent()).toMatch(/scored, 0 errors/);
      await page.screenshot({ path: '/tmp/ui-evaluators-backfill.png', fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);
});
