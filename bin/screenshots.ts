/**
 * `npm run screenshots`: a PNG of each page of the console in docs/screenshots/ (light theme,
 * 1280x800). Builds the console into a temp folder, starts the local platform in a temp data folder
 * (nothing of .data is touched), sends sample sessions through the HoneyHive REST intake, signs in
 * in Chromium (/usr/bin/chromium) and saves: sign-in, sessions, events, session, event detail,
 * dashboard, playground (a prompt streamed through the LLM proxy to a fake provider on 127.0.0.1),
 * admin.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import {
  buildConsoleForTests,
  launchBrowser,
  type SentSession,
  sendSession,
  signIn,
  startConsolePlatform,
  waitForSession,
} from '../test/support/console-browser';
import { startFakeOpenAICompatible } from '../test/support/fake-providers';

const OUT = resolve(fileURLToPath(import.meta.url), '..', '..', 'docs', 'screenshots');
const SAMPLES: {
  name: string;
  model: string;
  output: string;
  minutesAgo: number;
  customer: string;
  tokens: { prompt: number; completion: number };
  pace: number;
}[] = [
  {
    name: 'support-chat: refund request',
    model: 'gpt-4o-mini',
    output: 'I have started the refund for **order 4411**; it reaches your card in 3-5 business days.',
    minutesAgo: 5,
    customer: 'acme',
    tokens: { prompt: 412, completion: 58 },
    pace: 1,
  },
  {
    name: 'support-chat: shipping delay',
    model: 'claude-sonnet-4',
    output: 'Your parcel left the warehouse on Monday and should arrive on **Thursday**.',
    minutesAgo: 22,
    customer: 'globex',
    tokens: { prompt: 1_310, completion: 96 },
    pace: 1.6,
  },
  {
    name: 'research-agent: vector databases',
    model: 'gpt-4o',
    output: 'Three options fit: pgvector for simplicity, Qdrant for filtering, LanceDB for files on S3.',
    minutesAgo: 48,
    customer: 'initech',
    tokens: { prompt: 5_240, completion: 730 },
    pace: 4.2,
  },
  {
    name: 'sql-assistant: late orders',
    model: 'claude-3-5-haiku',
    output: '```sql\nSELECT count(*) FROM orders WHERE shipped_at > promised_at;\n```',
    minutesAgo: 95,
    customer: 'acme',
    tokens: { prompt: 880, completion: 41 },
    pace: 0.7,
  },
  {
    name: 'support-chat: password reset',
    model: 'gpt-4o-mini',
    output: 'I sent a reset link to the address on file; it is valid for 30 minutes.',
    minutesAgo: 140,
    customer: 'umbrella',
    tokens: { prompt: 233, completion: 37 },
    pace: 0.9,
  },
];

async function settle(page: Page): Promise<void> {
  // Charts and virtualized lists lay out after their data: let the network and two frames pass.
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
}

async function shoot(page: Page, name: string): Promise<void> {
  await settle(page);
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path });
  console.log(`screenshots: ${path}`);
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  console.log('screenshots: building the console into a temp folder …');
  const dist = await buildConsoleForTests();
  const cp = await startConsolePlatform(dist);
  const browser = await launchBrowser({ width: 1280, height: 800 });
  // The playground's provider: the fake OpenAI-compatible server (no internet), with a project key.
  const fake = await startFakeOpenAICompatible({ apiKey: 'sk-fake-screenshots' });
  try {
    const keyAnswer = await fetch(`${cp.platform.url}/v1/provider-keys/openai-compatible`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${cp.platform.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'sk-fake-screenshots', base_url: fake.url, scope: 'project' }),
    });
    if (keyAnswer.status !== 201) throw new Error(`the provider key was refused: ${await keyAnswer.text()}`);
    const sent: SentSession[] = [];
    for (const sample of SAMPLES)
      sent.push(
        await sendSession(cp.platform, sample.name, {
          model: sample.model,
          output: sample.output,
          startTime: Date.now() - sample.minutesAgo * 60_000,
          eventNames: { chain: 'plan_reply', model: 'generate_answer', tool: 'search_knowledge_base' },
          source: 'support-bot',
          metadata: { customer: sample.customer },
          tokens: sample.tokens,
          pace: sample.pace,
        }),
      );
    for (const session of sent) await waitForSession(cp.platform, session.session_id);
    const first = sent[0] as SentSession;

    const page = await browser.page();
    page.setDefaultTimeout(30_000);
    await page.emulateMedia({ colorScheme: 'light' });
    const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
    const projectUrl = `${cp.consoleUrl}projects/${cp.platform.projectId}`;
    // Each page on its own: one that does not come up is reported, and the others are still taken.
    const failed: string[] = [];
    const take = async (name: string, show: () => Promise<void>) => {
      try {
        await show();
        await shoot(page, name);
      } catch (error) {
        failed.push(name);
        console.error(
          `screenshots: ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    };

    await take('sign-in', async () => {
      await page.goto(cp.consoleUrl);
      await page.getByLabel('Email').fill(cp.admin.email);
    });
    await signIn(page, cp.consoleUrl, cp.admin.email, cp.admin.password);
    await take('sessions', async () => {
      await page.goto(`${projectUrl}/sessions`);
      await page.getByTestId('sessions-table').getByRole('link', { name: first.name }).waitFor();
    });
    await take('events', async () => {
      await nav('Events').click();
      await page.getByRole('heading', { name: 'Events' }).waitFor();
      await page.getByTestId('events-table').getByRole('link').first().waitFor();
    });
    const tree = page.getByRole('tree', { name: 'Events' });
    await take('session', async () => {
      await page.goto(`${projectUrl}/sessions/${first.session_id}`);
      await tree.getByRole('treeitem', { name: first.events.tool, exact: true }).waitFor();
    });
    await take('event-detail', async () => {
      await tree.getByRole('treeitem', { name: first.events.model, exact: true }).click();
      await page
        .getByRole('region', { name: 'Event detail' })
        .getByRole('heading', { name: 'Outputs' })
        .waitFor();
    });
    await take('dashboard', async () => {
      await nav('Dashboard').click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await page.locator('canvas').first().waitFor();
    });
    await take('playground', async () => {
      await nav('Playground').click();
      await page.getByRole('heading', { name: 'Playground', level: 1 }).waitFor();
      await page.getByLabel('Provider', { exact: true }).selectOption('openai-compatible');
      await page.getByLabel('Model', { exact: true }).fill('gpt-4o-mini');
      await page.getByLabel('Content 2').fill('Where is order {{order}} for {{customer}}?');
      await page.getByLabel('{{order}}').fill('4411');
      await page.getByLabel('{{customer}}').fill('acme');
      await page.getByLabel('Temperature').fill('0.3');
      await page.getByRole('button', { name: 'Run' }).click();
      await page.getByRole('link', { name: 'Open event' }).waitFor();
      // Run is below the fold: show the page from its top, the answer beside the prompt.
      await page.evaluate('window.scrollTo(0, 0)');
    });
    await take('admin', async () => {
      await nav('Admin').click();
      await page.getByRole('heading', { name: 'Admin', level: 1 }).waitFor();
      await page.getByTestId('keys-table').waitFor();
    });
    if (failed.length > 0) throw new Error(`not taken: ${failed.join(', ')}`);
  } finally {
    await browser.close();
    await cp.close();
    await fake.close();
    await rm(dist, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`screenshots: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
