/**
 * The console's Alerts page end to end in Chromium, against the local platform with its control
 * plane: a signed-in admin adds a webhook channel pointing at a receiver on 127.0.0.1 (its signing
 * secret shown once, and it verifies what the receiver gets), sends it a test from the page and sees
 * the outcome, then finds the delivery in the notification log; a private URL is refused in place
 * and nothing is added; the secret is rotated (the new one shown once). A monitor starts from a
 * dashboard chart ("Monitor this") with the chart's field prefilled, its preview reads the chart
 * with the thresholds drawn; it is created notifying the channel, listed, changed (a bad level
 * caught in the page), read back after a reload and deleted through the monitors API.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendSession, waitForSession } from '../support/console-browser';
import { consoleRigForFile } from '../support/console-for-file';
import { cellsOf, rowNamed } from '../support/console-tables';
import { startWebhookReceiver, type WebhookReceiver, webhookHeadersOf } from '../support/webhook-receiver';

const UI_TIMEOUT = 30_000;
const CHANNEL = `receiver-${randomUUID().slice(0, 8)}`;
const SHOTS = '/tmp';

const rig = consoleRigForFile({ width: 1280, height: 1000 });
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  const session = await sendSession(rig.cp.platform, 'alerts-source');
  await waitForSession(rig.cp.platform, session.session_id);
}, 180_000);
afterAll(() => receiver?.close());

/** Runs `steps` in a signed-in tab: a screenshot if they fail, no page errors, the tab closed. */
async function inTab(steps: (page: Page) => Promise<void>): Promise<void> {
  const { page, errors } = await rig.tab({ timeout: UI_TIMEOUT });
  try {
    await steps(page);
    expect(errors).toEqual([]);
  } catch (error) {
    await page.screenshot({ path: `${SHOTS}/ui-alerts-failure.png`, fullPage: true });
    throw error;
  } finally {
    await page.close();
  }
}

describe('the Alerts page in Chromium', () => {
  it('adds a webhook channel, shows its secret once, test-sends it and logs the delivery', () =>
    inTab(async (page) => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
      await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
      await page.getByRole('tab', { name: 'Channels' }).click();
      await page.getByText('No channels yet.').waitFor();
      // Ten project pages and the header's tools fit the 1280 px shell: nothing scrolls sideways.
      // (A string: the platform's tsconfig has no DOM types; the browser evaluates it.)
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);
      await page.screenshot({ path: `${SHOTS}/ui-alerts-channels-empty.png`, fullPage: true });

      const form = page.getByRole('form', { name: 'Add a channel' });
      // A private address is refused by the API in place; nothing is added.
      await form.getByLabel('Channel name').fill('private');
      await form.getByLabel('Webhook URL').fill('https://10.0.0.1/hook');
      await form.getByRole('button', { name: 'Add channel' }).click();
      await form
        .getByRole('alert')
        .filter({ hasText: /private/ })
        .waitFor();
      await expect(page.getByTestId('channels-table').count()).resolves.toBe(0);

      await form.getByLabel('Channel name').fill(CHANNEL);
      await form.getByLabel('Webhook URL').fill(`${receiver.url}/hooks/ui`);
      await form.getByRole('checkbox', { name: 'warning' }).uncheck();
      await form.getByRole('button', { name: 'Add channel' }).click();
      const shown = page.getByTestId('new-secret');
      await shown.getByText("you won't see this again").waitFor();
      const secret = (await shown.getByTestId('channel-secret').textContent()) ?? '';
      expect(secret).toMatch(/^whsec_/);
      await shown.getByRole('button', { name: 'Copy secret' }).waitFor();
      await page.screenshot({ path: `${SHOTS}/ui-alerts-channel-secret.png`, fullPage: true });
      await shown.getByRole('button', { name: 'Done, I have stored the secret' }).click();
      await expect(shown.count()).resolves.toBe(0);

      const table = page.getByTestId('channels-table');
      expect(await cellsOf(table, CHANNEL)).toEqual([
        'Webhook',
        `${receiver.url}/hooks/ui`,
        'critical, resolution',
        expect.any(String),
        expect.stringContaining('Send test'),
      ]);
      // The secret is nowhere on the page once dismissed.
      expect(await page.content()).not.toContain(secret);

      await page.getByRole('button', { name: `Send a test notification to ${CHANNEL}` }).click();
      const outcome = rowNamed(table, CHANNEL).getByRole('status').filter({ hasText: 'Delivered' });
      await outcome.waitFor();
      expect(receiver.received).toHaveLength(1);
      const [request] = receiver.received;
      // What arrived verifies with the secret the page showed.
      expect(
        new Webhook(secret).verify(request?.body ?? '', webhookHeadersOf(request as never)),
      ).toMatchObject({
        type: 'channel.test',
      });
      await page.screenshot({ path: `${SHOTS}/ui-alerts-channels.png`, fullPage: true });

      await page.getByRole('tab', { name: 'Notification log' }).click();
      const log = page.getByTestId('notification-log');
      await log.waitFor();
      const cells = await cellsOf(log, 'Test notification');
      expect(cells).toEqual([expect.any(String), CHANNEL, 'critical', 'critical', 'Delivered', '1']);
      await page.screenshot({ path: `${SHOTS}/ui-alerts-log.png`, fullPage: true });

      // Rotation shows the new secret once, different from the first.
      await page.getByRole('tab', { name: 'Channels' }).click();
      await page.getByRole('button', { name: `Rotate the secret of ${CHANNEL}` }).click();
      const rotated = page.getByTestId('new-secret');
      await rotated.getByText('The previous secret keeps signing beside it for 24 hours.').waitFor();
      const fresh = (await rotated.getByTestId('channel-secret').textContent()) ?? '';
      expect(fresh).toMatch(/^whsec_/);
      expect(fresh).not.toBe(secret);
    }));

  it('starts a monitor from a dashboard chart, prefilled, with a preview of its series', () =>
    inTab(async (page) => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
      await page.getByRole('link', { name: 'Create a monitor of Errors' }).click();
      const form = page.getByRole('form', { name: 'New monitor' });
      await form.waitFor();
      expect(await form.getByLabel('Field').inputValue()).toBe('errors');
      expect(await form.getByLabel('Aggregation').inputValue()).toBe('count');
      expect(await form.getByLabel('Event type').inputValue()).toBe('model');
      // Nothing is sent while the form is incomplete; the checks name the field.
      await form.getByRole('button', { name: 'Create monitor' }).click();
      await form.getByText('Give the monitor a name').waitFor();
      await form.getByLabel('Name', { exact: true }).fill('Model errors');
      // The message goes as soon as the field is fixed.
      await form.getByText('Give the monitor a name').waitFor({ state: 'detached' });
      await form.getByLabel('Critical above').fill('10');
      await form.getByLabel('Warning above').fill('3');
      await page
        .getByTestId('monitor-preview')
        .getByText(/events charted/)
        .waitFor();
      await page.getByTestId('monitor-preview').locator('.uplot').waitFor();
      // The preview draws the thresholds as lines beside the series.
      const legend = await page.getByTestId('monitor-preview').locator('.u-legend').textContent();
      expect(legend).toContain('warning');
      expect(legend).toContain('critical');
      await page.screenshot({ path: `${SHOTS}/ui-alerts-monitor-form.png`, fullPage: true });
      await form.getByRole('checkbox', { name: new RegExp(CHANNEL) }).check();
      await form.getByRole('button', { name: 'Create monitor' }).click();

      // Saved through the monitors API: listed (no evaluation yet: unknown) and open for editing.
      const table = page.getByTestId('monitors-table');
      await rowNamed(table, 'Model errors').waitFor();
      expect(await cellsOf(table, 'Model errors')).toEqual([
        'unknown',
        'model',
        'count of errors over 5 min',
        '3',
        '10',
        '1',
      ]);
      const edit = page.getByRole('form', { name: 'Edit Model errors' });
      await edit.waitFor();
      expect(await edit.getByRole('checkbox', { name: new RegExp(CHANNEL) }).isChecked()).toBe(true);
      await page.getByRole('heading', { name: 'History' }).waitFor();
      await page.screenshot({ path: `${SHOTS}/ui-alerts-monitors.png`, fullPage: true });

      // Changed: critical above warning is checked in the page; the API answers the rest.
      await edit.getByLabel('Critical above').fill('2');
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await edit.getByText('Critical must be above warning').waitFor();
      await edit.getByLabel('Critical above').fill('20');
      await edit.getByLabel('Window (minutes)').fill('15');
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await table.getByRole('cell', { name: 'count of errors over 15 min' }).waitFor();
      expect(await cellsOf(table, 'Model errors')).toEqual([
        'unknown',
        'model',
        'count of errors over 15 min',
        '3',
        '20',
        '1',
      ]);

      // Still there after a reload (read from the API, not the page's memory); then deleted.
      await page.reload();
      await rowNamed(page.getByTestId('monitors-table'), 'Model errors').waitFor();
      const reloaded = page.getByRole('form', { name: 'Edit Model errors' });
      await reloaded.getByRole('button', { name: 'Delete monitor' }).click();
      await reloaded.getByRole('button', { name: 'Delete Model errors' }).click();
      await page.getByText('No monitors yet.').waitFor();
    }));
});
