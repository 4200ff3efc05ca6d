/**
 * The console's playground end to end in Chromium: the local platform serves the console, a fake
 * OpenAI-compatible provider (test/support/fake-providers) stands behind the LLM proxy with a
 * project provider key, and a signed-in admin runs a prompt as a person would (by the accessible
 * names of ui/README.md): the answer streams in, tokens show, the recorded model event opens in
 * its session; the draft saved as a configuration runs again by its name; a provider without a
 * key points to Admin ▸ Provider keys.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRigForFile } from '../support/console-for-file';
import { ECHO_PREFIX, type FakeProvider, startFakeOpenAICompatible } from '../support/fake-providers';
import { readApi } from '../support/read-api-client';

const UI_TIMEOUT = 30_000;
const PROVIDER_SECRET = `sk-fake-playground-${randomUUID()}`;
const MODEL = 'gpt-4o-mini';

const rig = consoleRigForFile({ width: 1280, height: 900 });
let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeOpenAICompatible({ apiKey: PROVIDER_SECRET });
  await readApi(rig.cp.platform.url, rig.cp.platform.apiKey).putProviderKey('openai-compatible', {
    api_key: PROVIDER_SECRET,
    base_url: fake.url,
    scope: 'project',
  });
}, 180_000);

afterAll(async () => {
  await fake?.close();
});

/** A signed-in tab on the playground; page errors and CSP refusals are collected. */
async function playground(): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await rig.tab({ timeout: UI_TIMEOUT });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Playground' }).click();
  await page.getByRole('heading', { name: 'Playground', level: 1 }).waitFor();
  return { page, errors };
}

/** The last chat request the fake provider got. */
function lastProviderRequest(): { messages: { role: string; content: string }[]; stream?: boolean } {
  return fake.requests.at(-1)?.body as { messages: { role: string; content: string }[]; stream?: boolean };
}

describe('the playground in Chromium', () => {
  it('streams a draft through the proxy, shows its tokens and opens the recorded event', async () => {
    const { page, errors } = await playground();
    try {
      await page.getByLabel('Provider', { exact: true }).selectOption('openai-compatible');
      await page.getByLabel('Model', { exact: true }).fill(MODEL);
      await page.getByLabel('Content 2').fill('Where is order {{order}} now?');
      await page.getByLabel('{{order}}').fill('4411');
      const lookups: string[] = [];
      page.on('request', (request) => {
        if (request.url().endsWith('/v1/events/export')) lookups.push(request.postData() ?? '');
      });
      const proxied = page.waitForResponse((response) => response.url().endsWith('/v1/chat/completions'));
      await page.getByRole('button', { name: 'Run' }).click();
      const eventId = (await proxied).headers()['x-waggle-event-id'];
      expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
      await page.getByTestId('run-status').getByText('Done (stop).').waitFor();

      const answer = `${ECHO_PREFIX}Where is order 4411 now?`;
      expect(await page.getByTestId('playground-output').textContent()).toBe(answer);
      // The console filled the draft's variable; the provider got a streamed request.
      expect(lastProviderRequest().messages.at(-1)).toEqual({
        role: 'user',
        content: 'Where is order 4411 now?',
      });
      expect(lastProviderRequest().stream).toBe(true);
      // The fake counts words: 5 + 5 in the prompt, 6 in the answer.
      expect(await page.getByTestId('run-prompt-tokens').textContent()).toBe('10');
      expect(await page.getByTestId('run-completion-tokens').textContent()).toBe('6');
      expect(await page.getByTestId('run-latency').textContent()).toMatch(/\d/);
      expect(await page.getByTestId('run-ttft').textContent()).toMatch(/\d/);

      // The link names the event the proxy announced (a header the page, on another origin, may read).
      const link = page.getByRole('link', { name: 'Open event' });
      expect(
        new URL((await link.getAttribute('href')) ?? '', rig.cp.consoleUrl).searchParams.get('event'),
      ).toBe(eventId);
      // Found by that id: the page could read the header across origins (CORS exposes it).
      expect(
        lookups.some((body) => body.includes(`"field":"event_id"`) && body.includes(eventId ?? '-')),
      ).toBe(true);
      await link.click();
      const detail = page.getByRole('region', { name: 'Event detail' });
      await detail.getByText(answer).first().waitFor();
      expect(new URL(page.url()).pathname).toMatch(/\/sessions\/[^/]+$/);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('saves the draft as a configuration and runs it by its name, the proxy filling its template', async () => {
    const { page, errors } = await playground();
    const name = `order-status-${randomUUID().slice(0, 8)}`;
    try {
      await page.getByLabel('Provider', { exact: true }).selectOption('openai-compatible');
      await page.getByLabel('Model', { exact: true }).fill(MODEL);
      await page.getByLabel('Content 2').fill('Status of {{order}}?');
      await page.getByLabel('{{order}}').fill('9001');
      await page.getByLabel('Configuration name').fill(name);
      await page.getByRole('button', { name: 'Save as new configuration' }).click();
      await page.getByRole('button', { name: 'Save as new version' }).waitFor();
      await expect.poll(() => page.getByTestId('runs-as').textContent()).toBe(`Runs ${name} v1 as saved.`);
      const before = fake.requests.length;
      await page.getByRole('button', { name: 'Run' }).click();
      await page.getByTestId('run-status').getByText('Done (stop).').waitFor();
      expect(fake.requests.length).toBe(before + 1);
      expect(lastProviderRequest().messages).toEqual([
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'Status of 9001?' },
      ]);
      expect(await page.getByTestId('playground-output').textContent()).toBe(`${ECHO_PREFIX}Status of 9001?`);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('shows the refusal of a provider without a key, with the way to Admin ▸ Provider keys', async () => {
    const { page, errors } = await playground();
    try {
      await page.getByLabel('Provider', { exact: true }).selectOption('openai');
      await page.getByLabel('Model', { exact: true }).fill(MODEL);
      await page.getByLabel('Content 2').fill('hello');
      await page.getByRole('button', { name: 'Run' }).click();
      await page
        .getByRole('alert')
        .getByText(/No provider key for openai/)
        .waitFor();
      await page.getByRole('link', { name: 'add one in Admin ▸ Provider keys' }).click();
      await page.getByRole('heading', { name: 'Provider keys' }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
