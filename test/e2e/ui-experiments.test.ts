/**
 * The console's Experiments pages end to end in Chromium, against the local platform with its control
 * plane. Two runs over one dataset's three datapoints are made through the API as `evaluate()` makes
 * them: each datapoint's session sent through the intake with `metadata.run_id` and
 * `metadata.datapoint_id`, its output, a session metric (`exact`) and a child model event's metric
 * (`relevance`); then the run completed with its session ids. The runs list shows both; a run's page
 * shows each metric's aggregate and each datapoint's pass/fail, values and output; two runs picked on
 * the list compare side by side: deltas per metric, improved/regressed datapoints, outputs diffed
 * against the ground truth. Then a server-side experiment started from the page (New experiment: an
 * HTTP endpoint on 127.0.0.1 over the dataset): its run's page shows the workflow succeed, its counts,
 * and its datapoints' outputs.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRigForFile } from '../support/console-for-file';
import { cellsOf, rowNamed } from '../support/console-tables';
import { eventually, readApi } from '../support/read-api-client';

const UI_TIMEOUT = 30_000;
const DATASET = `capitals-${randomUUID().slice(0, 8)}`;
const BASELINE = `baseline-${randomUUID().slice(0, 6)}`;
const CANDIDATE = `candidate-${randomUUID().slice(0, 6)}`;

const rig = consoleRigForFile({ width: 1280, height: 1000 });
const api = () => readApi(rig.cp.platform.url, rig.cp.platform.apiKey);

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await api().request(method, path, body);
  expect(response.status, `${method} ${path}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}

const CASES = [
  { question: 'Capital of France?', answer: 'Paris' },
  { question: 'Capital of Spain?', answer: 'Madrid' },
  { question: 'Capital of Italy?', answer: 'Rome' },
];

/** What each run answered per datapoint, and its scores. */
const OUTCOMES: Record<'baseline' | 'candidate', { output: string; exact: boolean; relevance: number }[]> = {
  baseline: [
    { output: 'Paris', exact: true, relevance: 0.5 },
    { output: 'Barcelona', exact: false, relevance: 0.9 },
    { output: 'Rome', exact: true, relevance: 0.4 },
  ],
  candidate: [
    { output: 'Paris', exact: true, relevance: 0.8 },
    { output: 'Madrid', exact: true, relevance: 0.3 },
    { output: 'Rome', exact: true, relevance: 0.4 },
  ],
};

let datasetId: string;
let datapointIds: string[];
const runIds: Record<'baseline' | 'candidate', string> = { baseline: '', candidate: '' };

async function runOver(which: 'baseline' | 'candidate', name: string): Promise<void> {
  const created = await call<{ run_id: string }>('POST', '/v1/runs', {
    project: 'default',
    name,
    event_ids: [],
    dataset_id: datasetId,
    datapoint_ids: datapointIds,
  });
  runIds[which] = created.run_id;
  const sessions: string[] = [];
  for (const [index, outcome] of OUTCOMES[which].entries()) {
    const datapointId = datapointIds[index] as string;
    const started = await call<{ session_id: string }>('POST', '/session/start', {
      session: {
        project: 'default',
        session_name: 'capitals-eval',
        source: 'evaluation',
        inputs: { question: CASES[index]?.question },
        outputs: { answer: outcome.output },
        metadata: { run_id: created.run_id, datapoint_id: datapointId, dataset_id: datasetId },
        metrics: { exact: outcome.exact },
      },
    });
    await api().sendEvent({
      session_id: started.session_id,
      event_type: 'model',
      event_name: 'generate',
      metrics: { relevance: outcome.relevance },
    });
    sessions.push(started.session_id);
  }
  await call('PUT', `/v1/runs/${created.run_id}`, { status: 'completed', event_ids: sessions });
}

beforeAll(async () => {
  const dataset = await call<{ result: { insertedId: string } }>('POST', '/v1/datasets', {
    project: 'default',
    name: DATASET,
  });
  datasetId = dataset.result.insertedId;
  const added = await call<{ datapoint_ids: string[] }>('POST', `/v1/datasets/${datasetId}/datapoints`, {
    project: 'default',
    data: CASES,
    mapping: { inputs: ['question'], ground_truth: ['answer'], history: [] },
  });
  datapointIds = added.datapoint_ids;
  await runOver('baseline', BASELINE);
  // The candidate is the newer run (a comparison reads the newer against the older).
  await new Promise((resolve) => setTimeout(resolve, 20));
  await runOver('candidate', CANDIDATE);
  // The writer stores the sessions within seconds; the results read what is stored.
  for (const runId of Object.values(runIds))
    await eventually(async () => {
      const result = await call<{ datapoints: { metrics: unknown[] }[] }>('GET', `/v1/runs/${runId}/result`);
      return result.datapoints.length === 3 && result.datapoints.every((item) => item.metrics.length === 2)
        ? true
        : undefined;
    }, 30_000);
}, 180_000);

const signedIn = () => rig.tab({ timeout: UI_TIMEOUT });

/** The endpoint a server-side experiment calls: answers each datapoint with its ground truth. */
let endpoint: Server;
const endpointCalls: { run_id: string; inputs: unknown }[] = [];
beforeAll(async () => {
  endpoint = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const datapoint = JSON.parse(body) as {
        run_id: string;
        inputs: unknown;
        ground_truth: { answer?: string };
      };
      endpointCalls.push({ run_id: datapoint.run_id, inputs: datapoint.inputs });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ answer: datapoint.ground_truth.answer ?? '' }));
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => endpoint.close(() => resolve())));

describe('the Experiments pages in Chromium', () => {
  it("lists the runs and shows a run's aggregates, pass/fail and outputs", async () => {
    const { page, errors } = await signedIn();
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Experiments' }).click();
      await page.getByRole('heading', { name: 'Experiments', level: 1 }).waitFor();
      const runs = page.getByRole('table', { name: 'Experiment runs' });
      const baselineRow = rowNamed(runs, BASELINE);
      await baselineRow.waitFor();
      // Compare, Status, Dataset, Datapoints, Sessions, Started.
      const cells = await cellsOf(runs, BASELINE);
      expect(cells.slice(1, 5)).toEqual(['Completed', DATASET, '3', '3']);
      expect(await runs.getByRole('rowheader').allTextContents()).toEqual([CANDIDATE, BASELINE]);
      await page.screenshot({ path: '/tmp/ui-experiments-runs.png', fullPage: true });

      await baselineRow.getByRole('link', { name: BASELINE }).click();
      await page.getByRole('heading', { name: BASELINE, level: 1 }).waitFor();
      await page.getByTestId('run-summary').getByText('2 passed').waitFor();
      // The run recorded the dataset's version it ran over (the first, made when the run was created).
      await page.getByText(`${DATASET} (version 1)`).waitFor();
      expect(await page.getByTestId('run-summary').textContent()).toContain('1 failed · 66.7% pass rate');
      const metrics = page.getByRole('table', { name: 'Metrics' });
      // Recorded on, Type, Aggregate, Passed, Failed.
      expect(await cellsOf(metrics, 'exact')).toEqual(['session', 'boolean', '0.6667', '2', '1']);
      expect((await cellsOf(metrics, 'relevance')).slice(0, 3)).toEqual(['model generate', 'numeric', '0.6']);

      const datapoints = page.getByRole('table', { name: 'Datapoints' });
      const second = rowNamed(datapoints, (datapointIds[1] as string).slice(0, 8));
      // Result, exact, relevance, Output, Session.
      const secondCells = await cellsOf(datapoints, (datapointIds[1] as string).slice(0, 8));
      expect(secondCells[0]).toBe('✗ Fail');
      expect(secondCells[1]).toBe('false ✗');
      expect(secondCells[2]).toBe('0.9');
      expect(secondCells[3]).toBe('{"answer":"Barcelona"}');

      // Another aggregate function, kept in the URL.
      await page.getByLabel('Aggregate').selectOption('max');
      await metrics.getByRole('columnheader', { name: 'Aggregate (max)' }).waitFor();
      await expect.poll(async () => (await cellsOf(metrics, 'relevance'))[2]).toBe('0.9');
      expect(page.url()).toContain('aggregate=max');
      await page.screenshot({ path: '/tmp/ui-experiments-run.png', fullPage: true });

      // A datapoint's session opens from its row.
      await second.getByRole('link', { name: /^Session of datapoint/ }).click();
      await page.getByRole('heading', { name: 'capitals-eval' }).first().waitFor();
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('compares two runs picked on the list: deltas, changed datapoints, outputs against ground truth', async () => {
    const { page, errors } = await signedIn();
    try {
      await page.goto(`${rig.cp.consoleUrl}projects/${rig.cp.platform.projectId}/runs`);
      const compare = page.getByRole('button', { name: 'Compare selected' });
      await page.getByLabel(`Pick ${BASELINE} to compare`).check();
      expect(await compare.isDisabled()).toBe(true);
      await page.getByLabel(`Pick ${CANDIDATE} to compare`).check();
      await compare.click();
      await page.getByRole('heading', { name: 'Compare runs', level: 1 }).waitFor();
      expect(page.url()).toContain(`/runs/${runIds.candidate}/compare/${runIds.baseline}`);

      const metrics = page.getByRole('table', { name: 'Metric changes' });
      await rowNamed(metrics, 'exact').waitFor();
      // Recorded on, Old, New, Change, Improved, Regressed, Unchanged.
      expect(await cellsOf(metrics, 'exact')).toEqual([
        'session',
        '0.6667',
        '1',
        '+0.3333 (better)',
        '1',
        '0',
        '2',
      ]);
      expect(await cellsOf(metrics, 'relevance')).toEqual([
        'model generate',
        '0.6',
        '0.5',
        '−0.1 (worse)',
        '1',
        '1',
        '1',
      ]);

      // Per datapoint: Paris improved (relevance), Madrid mixed (exact better, relevance worse), Rome unchanged.
      const changes = page.getByRole('region', { name: 'Datapoint changes' });
      const card = (index: number) =>
        changes.getByRole('listitem', { name: `Datapoint ${(datapointIds[index] as string).slice(0, 8)}` });
      await card(1).getByText('Mixed').waitFor();
      expect(await card(0).textContent()).toContain('Improved');
      expect(await card(2).textContent()).toContain('Unchanged');
      expect(await card(1).textContent()).toContain('better: exact');
      expect(await card(1).textContent()).toContain('worse: relevance');
      // Spain: the old output missed the ground truth, the new one matches it.
      const figures = card(1).getByRole('figure');
      await expect.poll(() => figures.count()).toBe(3);
      expect(await figures.nth(0).textContent()).toBe('Ground truthMadrid');
      expect(await figures.nth(1).textContent()).toContain('differs from the ground truth');
      expect(await figures.nth(1).locator('del').textContent()).toBe('[missing: Madrid]');
      expect(await figures.nth(1).locator('ins').textContent()).toBe('[added: Barcelona]');
      expect(await figures.nth(2).textContent()).toContain('matches the ground truth');
      await page.screenshot({ path: '/tmp/ui-experiments-compare.png', fullPage: true });

      // Only the regressed-or-mixed ones, by the filter.
      await changes.getByLabel('Mixed (1)').check();
      await expect.poll(() => changes.getByTestId('datapoint-change').count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('starts a server-side experiment over an HTTP endpoint and follows it to its results', async () => {
    const { page, errors } = await signedIn();
    const name = `server-${randomUUID().slice(0, 6)}`;
    try {
      await page.goto(`${rig.cp.consoleUrl}projects/${rig.cp.platform.projectId}/runs`);
      await page.getByRole('button', { name: 'New experiment' }).click();
      const form = page.getByRole('form', { name: 'New experiment' });
      await form.getByLabel('Run name').fill(name);
      await form.getByLabel('Dataset', { exact: true }).selectOption({ label: `${DATASET} (3)` });
      await form.getByLabel('An HTTP endpoint').check();
      const { port } = endpoint.address() as AddressInfo;
      await form.getByLabel('Endpoint URL').fill(`http://127.0.0.1:${port}/answer`);
      await page.screenshot({ path: '/tmp/ui-experiments-new.png', fullPage: true });
      await form.getByRole('button', { name: 'Start experiment' }).click();

      await page.getByRole('heading', { name, level: 1 }).waitFor();
      const panel = page.getByRole('region', { name: 'Server-side run' });
      await panel.getByTestId('execution-status').getByText('Succeeded').waitFor({ timeout: 90_000 });
      expect(await panel.getByTestId('server-counts').textContent()).toBe(
        '3 answered, 0 refused by the target, 0 not answered',
      );
      // The run's record follows once the workflow stopped: completed, with its three sessions.
      await page.getByText('Completed', { exact: true }).waitFor();
      const runId = /\/runs\/([^/?]+)/.exec(page.url())?.[1];
      expect(endpointCalls.filter((call) => call.run_id === runId).map((call) => call.inputs)).toEqual(
        expect.arrayContaining(CASES.map(({ question }) => ({ question }))),
      );
      // Its sessions reach the store within seconds: Refresh until the three are there.
      const datapoints = page.getByRole('table', { name: 'Datapoints' });
      await eventually(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return (await datapoints.getByRole('row').count()) === 4 ? true : undefined;
        },
        60_000,
        1_000,
      );
      const outputs = await datapoints.getByRole('row').allTextContents();
      for (const { answer } of CASES) expect(outputs.join('\n')).toContain(`{"answer":"${answer}"}`);
      await page.screenshot({ path: '/tmp/ui-experiments-server-run.png', fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 180_000);
});
