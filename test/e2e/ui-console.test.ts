/**
 * The web console end to end in a real browser (Debian's Chromium, driven by playwright-core): the
 * local platform serves the console (built once for this file into a temp folder), sessions go in
 * through the HoneyHive REST intake, and a user signs in and works with them as a person would, by
 * the accessible names ui/README.md lists ("Selectors for end-to-end tests").
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMember, type SentSession, sendSession, waitForSession } from '../support/console-browser';
import { consoleRigForFile } from '../support/console-for-file';

/** What a person waits for at most: the console fetches a token, then the read API. */
const UI_TIMEOUT = 30_000;

const rig = consoleRigForFile();
let first: SentSession;
let second: SentSession;

beforeAll(async () => {
  const run = randomUUID().slice(0, 8);
  first = await sendSession(rig.cp.platform, `checkout-flow-${run}`, {
    model: 'gpt-4o-mini',
    output: `Your order ${run} ships on Tuesday.`,
  });
  second = await sendSession(rig.cp.platform, `refund-flow-${run}`, { model: 'claude-3-5-haiku' });
  await waitForSession(rig.cp.platform, first.session_id);
  await waitForSession(rig.cp.platform, second.session_id);
}, 180_000);

const pageErrors = new WeakMap<Page, string[]>();

/** Closes a tab, failing the test if the page threw or the CSP refused something. */
async function closeChecked(page: Page): Promise<void> {
  await page.close();
  expect(pageErrors.get(page) ?? [], 'errors thrown in the page, CSP violations').toEqual([]);
}

/** A signed-in tab; page errors and CSP violations fail the test that made them (closeChecked). */
async function signedInPage(email = rig.cp.admin.email, password = rig.cp.admin.password): Promise<Page> {
  const { page, errors } = await rig.tab({
    timeout: UI_TIMEOUT,
    user: { email, password },
  });
  pageErrors.set(page, errors);
  try {
    await page.getByRole('heading', { name: 'Sessions' }).waitFor();
  } catch (error) {
    await page.screenshot({ path: '/tmp/ui-console-failure.png' });
    console.log(await page.content());
    throw error;
  }
  return page;
}

const sessionsTable = (page: Page) => page.getByTestId('sessions-table');

describe('the console in Chromium', () => {
  it('signs in, finds the session by name, opens it: its events in the tree, the model output in the detail', async () => {
    const page = await signedInPage();
    try {
      expect(new URL(page.url()).pathname).toBe(`/projects/${rig.cp.platform.projectId}/sessions`);
      const link = sessionsTable(page).getByRole('link', { name: first.name });
      await link.waitFor();
      await link.click();

      await page.getByRole('heading', { name: first.name, level: 1 }).waitFor();
      const tree = page.getByRole('tree', { name: 'Events' });
      await tree.waitFor();
      for (const name of [first.name, first.events.chain, first.events.model, first.events.tool])
        await tree.getByRole('treeitem', { name, exact: true }).waitFor();
      await tree.getByRole('treeitem', { name: first.events.model, exact: true }).click();
      const detail = page.getByRole('region', { name: 'Event detail' });
      await detail.getByText(first.modelOutput).waitFor();
      await expect.poll(() => detail.textContent()).toContain(first.model);
      // The selection is in the URL: a reload (or a shared link) opens the same event.
      expect(new URL(page.url()).searchParams.get('event')).toMatch(/^[0-9a-f-]{36}$/);
      await page.reload();
      await page.getByRole('region', { name: 'Event detail' }).getByText(first.modelOutput).waitFor();
    } finally {
      await closeChecked(page);
    }
  });

  it('narrows the sessions table with a filter', async () => {
    const page = await signedInPage();
    try {
      const table = sessionsTable(page);
      await table.getByRole('link', { name: first.name }).waitFor();
      await table.getByRole('link', { name: second.name }).waitFor();

      await page.getByText('Filters', { exact: true }).click();
      await page.getByRole('button', { name: 'Add filter' }).click();
      await page.getByLabel('Field 1').fill('event_name');
      await page.getByLabel('Operator 1').selectOption('is');
      await page.getByLabel('Value 1').fill(second.name);
      await page.getByRole('button', { name: 'Apply filters' }).click();

      await expect.poll(() => table.getByRole('link', { name: first.name }).count()).toBe(0);
      await table.getByRole('link', { name: second.name }).waitFor();
      // The filter is in the URL: the narrowed list is a link.
      expect(new URL(page.url()).search).toContain('filters');
    } finally {
      await closeChecked(page);
    }
  });

  it('lists the model events under the Model tab and opens one in its session; the dashboard charts them', async () => {
    const page = await signedInPage();
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events' }).click();
      await page.getByRole('heading', { name: 'Events', level: 1 }).waitFor();
      await page.getByRole('tab', { name: 'Model' }).click();
      const table = page.getByTestId('events-table');
      await table.getByRole('link', { name: first.events.model, exact: true }).waitFor();
      await table.getByRole('link', { name: second.events.model, exact: true }).waitFor();
      // The model events were listed under All too: wait for the Model tab's own list.
      await expect
        .poll(() => table.getByRole('link', { name: first.events.tool, exact: true }).count())
        .toBe(0);
      await table.getByRole('link', { name: first.events.model, exact: true }).click();
      // The event's session, with the event selected in the detail.
      await page.getByRole('region', { name: 'Event detail' }).getByText(first.modelOutput).waitFor();
      expect(new URL(page.url()).pathname).toBe(
        `/projects/${rig.cp.platform.projectId}/sessions/${first.session_id}`,
      );

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
      await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
      // Two sessions of four events each (the session events included) went in.
      await expect.poll(async () => (await page.getByTestId('total-volume').textContent())?.trim()).toBe('8');
      await page
        .getByRole('figure', { name: /Volume/ })
        .locator('canvas')
        .first()
        .waitFor();
    } finally {
      await closeChecked(page);
    }
  });

  it('creates an API key shown once, which works, then revokes it, and the data plane refuses it as revoked', async () => {
    const page = await signedInPage();
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
      await page.getByRole('heading', { name: 'Admin', level: 1 }).waitFor();
      await page.getByRole('tab', { name: 'API keys' }).click();
      await page.getByRole('button', { name: 'Create key' }).click();
      const secret = (await page.getByTestId('new-api-key').textContent())?.trim() ?? '';
      expect(secret).toMatch(/^wgl_[\w-]{43}_[\w-]{6}$/);
      const prefix = secret.slice(0, 8);

      // The key ingests (the sync reaches the data plane's registry about a second later).
      const ingest = () =>
        fetch(`${rig.cp.platform.url}/v1/traces`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          body: '{"resourceSpans":[]}',
        }).then((response) => response.status);
      await expect.poll(ingest, { timeout: 15_000, interval: 250 }).toBe(200);

      await page.getByRole('button', { name: 'Done, I have stored the key' }).click();
      await expect.poll(() => page.getByTestId('new-api-key').count()).toBe(0);
      // Shown once: nowhere on the page any more, not even after a reload.
      await page.reload();
      const row = page.getByTestId(`key-${prefix}`);
      await row.waitFor();
      expect(await page.content()).not.toContain(secret);

      await page.getByRole('button', { name: `Revoke key ${prefix}` }).click();
      await page.getByRole('button', { name: `Confirm revoke key ${prefix}` }).click();
      await expect.poll(() => row.textContent()).toContain('revoked');
      // Refused once the sync and the authenticator's 1 s cache let it through; polled slowly, so the
      // failures stay under the brute-force limit (20 a minute) and the first refusal is the key's:
      // 403, "This API key has been revoked".
      let refusal = 200;
      await expect
        .poll(
          async () => {
            refusal = await ingest();
            return refusal;
          },
          { timeout: 15_000, interval: 1_000 },
        )
        .not.toBe(200);
      expect(refusal).toBe(403);
    } finally {
      await closeChecked(page);
    }
  });

  it('shows a viewer no admin actions', async () => {
    const viewer = await createMember(rig.cp, 'viewer');
    const page = await signedInPage(viewer.email, viewer.password);
    try {
      // A viewer reads the sessions like anyone in the project.
      await sessionsTable(page).getByRole('link', { name: first.name }).waitFor();
      await page.goto(`${rig.cp.consoleUrl}projects/${rig.cp.platform.projectId}/admin`);
      await page.getByRole('heading', { name: 'Admin', level: 1 }).waitFor();
      await expect.poll(() => page.getByTestId('role').textContent()).toBe('viewer');
      expect(await page.getByRole('tab', { name: 'API keys' }).count()).toBe(0);
      expect(await page.getByRole('tab', { name: 'Members' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /^Revoke key / }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Create project' }).count()).toBe(0);
      // Asking for the keys tab by URL does not show it either.
      await page.goto(`${rig.cp.consoleUrl}projects/${rig.cp.platform.projectId}/admin?tab=keys`);
      await page.getByRole('heading', { name: 'Admin', level: 1 }).waitFor();
      expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
      expect(await page.getByTestId('keys-table').count()).toBe(0);
    } finally {
      await closeChecked(page);
    }
  });

  it("follows the system's colour scheme until the user picks one, the whole palette switching with it", async () => {
    const page = await signedInPage();
    const theme = () => page.evaluate<string | undefined>('document.documentElement.dataset.theme');
    const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    try {
      await page.emulateMedia({ colorScheme: 'light' });
      await expect.poll(theme).toBe('light');
      expect(await background()).toBe('rgb(247, 247, 245)');
      await page.emulateMedia({ colorScheme: 'dark' });
      await expect.poll(theme).toBe('dark');
      expect(await background()).toBe('rgb(18, 19, 22)');
      await sessionsTable(page).getByRole('link', { name: first.name }).waitFor();
      await page.screenshot({ path: '/tmp/ui-console-dark.png' });
      // The user's pick wins over the system's from then on.
      await page.getByRole('button', { name: 'Switch to light theme' }).click();
      await expect.poll(theme).toBe('light');
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await theme()).toBe('light');
      expect(await background()).toBe('rgb(247, 247, 245)');
    } finally {
      await closeChecked(page);
    }
  });
});
