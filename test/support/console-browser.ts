/**
 * What the console's browser tests, the screenshots and the bench share: a console build in a
 * folder of their own, the local platform serving it, Debian's Chromium driven by playwright-core
 * (flags that keep it off the network: no background networking, updates, sync or QUIC), sample sessions sent
 * through the HoneyHive REST intake, sign-in and a viewer user.
 */
import { randomUUID } from 'node:crypto';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildConsole } from '../../lambdas/local/console-build';
import { type LocalPlatform, startLocalPlatform } from '../../lambdas/local/platform';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  /** A new tab (its own sessionStorage: a separate sign-in). */
  page(): Promise<Page>;
  close(): Promise<void>;
}

/** Chromium with a fresh profile folder, removed on close. */
export async function launchBrowser(options: { width?: number; height?: number } = {}): Promise<Browser> {
  await access(CHROMIUM_PATH).catch(() => {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install -y chromium, as .ci/run does)`,
    );
  });
  const profile = await mkdtemp(join(tmpdir(), 'waggle-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    colorScheme: 'light',
    timeout: 60_000,
  });
  return {
    context,
    page: () => context.newPage(),
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Builds ui/ into a new temp folder (once per test file); throws with vite's words on failure. */
export async function buildConsoleForTests(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'waggle-console-dist-'));
  const result = await buildConsole({ outDir, force: true });
  if (result.status === 'failed') throw new Error(`the console did not build: ${result.error}`);
  return outDir;
}

export interface ConsolePlatform {
  platform: LocalPlatform;
  /** The console's address (`http://127.0.0.1:<port>/`). */
  consoleUrl: string;
  controlPlaneUrl: string;
  admin: { email: string; password: string; org_id: string };
  close(): Promise<void>;
}

/** The local platform with its control plane on a free port, serving the console built in `consoleDir`. */
export async function startConsolePlatform(consoleDir: string, dataDir?: string): Promise<ConsolePlatform> {
  const folder = dataDir ?? (await mkdtemp(join(tmpdir(), 'waggle-console-data-')));
  const platform = await startLocalPlatform({
    port: 0,
    dataDir: folder,
    log: () => {},
    controlPlane: { port: 0, syncBatchingWindowMs: 20, console: { dir: consoleDir } },
    writer: { maximumBatchingWindowMs: 50 },
    auth: { positiveTtlMs: 1_000, negativeTtlMs: 100 },
  });
  const info = JSON.parse(await readFile(join(platform.dataDir, 'local.json'), 'utf8'));
  const controlPlaneUrl = (platform.controlPlane as NonNullable<LocalPlatform['controlPlane']>).url;
  return {
    platform,
    consoleUrl: `${controlPlaneUrl}/`,
    controlPlaneUrl,
    admin: {
      email: info.controlPlane.email,
      password: info.controlPlane.password,
      org_id: info.controlPlane.org_id,
    },
    async close() {
      await platform.close();
      if (!dataDir) await rm(folder, { recursive: true, force: true });
    },
  };
}

export interface SentSession {
  session_id: string;
  name: string;
  /** The events under the session: chain, model (child of the chain) and tool. */
  events: { chain: string; model: string; tool: string };
  modelOutput: string;
  model: string;
}

/**
 * One session through the HoneyHive REST intake (`POST /session/start`, then `POST /events` per
 * event): a chain `plan-<n>` with a model call `generate-<n>` under it, and a tool call `search-<n>`.
 */
export async function sendSession(
  platform: LocalPlatform,
  name: string,
  options: {
    model?: string;
    output?: string;
    startTime?: number;
    /** The events' names; default `plan-`, `generate-`, `search-` + the session's name (letters, digits, - and _). */
    eventNames?: SentSession['events'];
    source?: string;
    /** The session's metadata; default `{ customer: 'cust-<the name>' }`. */
    metadata?: Record<string, unknown>;
    tokens?: { prompt: number; completion: number };
    /** Multiplies the events' durations (the model call's 1.2 s, the chain's 1.8 s). */
    pace?: number;
  } = {},
): Promise<SentSession> {
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${platform.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 200)
      throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const start = options.startTime ?? Date.now() - 60_000;
  const model = options.model ?? 'gpt-4o-mini';
  const suffix = name.replace(/[^\w-]/g, '');
  const modelOutput = options.output ?? `The answer for ${name} is forty-two.`;
  const pace = options.pace ?? 1;
  const ms = (duration: number) => Math.round(duration * pace);
  const started = await post('/session/start', {
    session: {
      project: 'default',
      session_name: name,
      source: options.source ?? 'e2e',
      start_time: start,
      user_properties: { user: 'ada' },
      metadata: options.metadata ?? { customer: `cust-${suffix}` },
    },
  });
  const session_id = String(started.session_id);
  const chainId = randomUUID();
  const events = options.eventNames ?? {
    chain: `plan-${suffix}`,
    model: `generate-${suffix}`,
    tool: `search-${suffix}`,
  };
  /** One event of the session, started `offset` ms after the session and lasting `duration` ms (both paced). */
  const postEvent = ({
    offset,
    duration,
    ...event
  }: Record<string, unknown> & { offset: number; duration: number }) =>
    post('/events', {
      event: {
        event_id: randomUUID(),
        session_id,
        ...event,
        start_time: start + ms(offset),
        duration: ms(duration),
      },
    });
  await postEvent({
    event_id: chainId,
    event_type: 'chain',
    event_name: events.chain,
    parent_id: session_id,
    inputs: { question: `What is the answer for ${name}?` },
    outputs: { plan: 'search, then answer' },
    offset: 10,
    duration: 1_800,
  });
  await postEvent({
    event_type: 'model',
    event_name: events.model,
    parent_id: chainId,
    config: { model, provider: model.startsWith('claude') ? 'anthropic' : 'openai' },
    inputs: { chat_history: [{ role: 'user', content: `What is the answer for ${name}?` }] },
    outputs: { role: 'assistant', content: modelOutput },
    metadata: {
      prompt_tokens: options.tokens?.prompt ?? 120,
      completion_tokens: options.tokens?.completion ?? 30,
    },
    offset: 400,
    duration: 1_200,
  });
  await postEvent({
    event_type: 'tool',
    event_name: events.tool,
    parent_id: session_id,
    inputs: { query: name },
    outputs: { results: ['one', 'two'] },
    offset: 50,
    duration: 300,
  });
  return { session_id, name, events, modelOutput, model };
}

/** Waits until the read API has the session with `events` events under it (num_events; the session not counted). */
export async function waitForSession(platform: LocalPlatform, sessionId: string, events = 3): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await fetch(`${platform.url}/v1/sessions/${sessionId}`, {
      headers: { authorization: `Bearer ${platform.apiKey}` },
    });
    if (response.status === 200) {
      const body = (await response.json()) as { metadata?: { num_events?: number } };
      if ((body.metadata?.num_events ?? 0) >= events) return;
    }
    if (Date.now() > deadline)
      throw new Error(`session ${sessionId} not readable with ${events} events in 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Signs in on the console's sign-in page with the labels it has (ui/README.md, "Selectors"). */
export async function signIn(page: Page, consoleUrl: string, email: string, password: string): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

/**
 * A new tab signed in as `user` (the admin unless named), waiting at most `timeout` ms for anything.
 * What the page throws and the Content Security Policy refusals the console logs are collected in
 * `errors`: the CSP the control plane sends must let the console do its work (its files, the data plane).
 */
export async function signedInTab(
  browser: Browser,
  cp: ConsolePlatform,
  options: { timeout: number; user?: { email: string; password: string } },
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.page();
  page.setDefaultTimeout(options.timeout);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy'))
      errors.push(message.text());
  });
  const user = options.user ?? cp.admin;
  await signIn(page, cp.consoleUrl, user.email, user.password);
  return { page, errors };
}

/** What a browser test file starts once: the console built into a temp folder, the platform serving it, Chromium. */
export interface ConsoleRig {
  cp: ConsolePlatform;
  browser: Browser;
  /** Closes Chromium and the platform, and removes the build. */
  close(): Promise<void>;
}

export async function startConsoleRig(
  browserOptions: { width?: number; height?: number } = {},
): Promise<ConsoleRig> {
  const dist = await buildConsoleForTests();
  const cp = await startConsolePlatform(dist);
  const browser = await launchBrowser(browserOptions);
  return {
    cp,
    browser,
    async close() {
      await browser.close();
      await cp.close();
      await rm(dist, { recursive: true, force: true });
    },
  };
}

/** A user with a role in the admin's organization: created in the local IdP, added by the members API. */
export async function createMember(
  cp: ConsolePlatform,
  role: 'viewer' | 'member' | 'admin',
): Promise<{ email: string; password: string; id: string }> {
  const email = `${role}-${randomUUID().slice(0, 8)}@local`;
  const password = `pw-${randomUUID()}`;
  const controlPlane = cp.platform.controlPlane as NonNullable<LocalPlatform['controlPlane']>;
  const user = await controlPlane.createUser(email, password);
  const signedIn = await fetch(`${cp.controlPlaneUrl}/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: cp.admin.email, password: cp.admin.password }),
  });
  if (signedIn.status !== 200)
    throw new Error(`the admin's sign-in answered ${signedIn.status}: ${await signedIn.text()}`);
  const { id_token } = (await signedIn.json()) as { id_token: string };
  const added = await fetch(`${cp.controlPlaneUrl}/v1/orgs/${cp.admin.org_id}/members/${user.id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${id_token}` },
    body: JSON.stringify({ role, email }),
  });
  if (added.status !== 200)
    throw new Error(`adding ${email} answered ${added.status}: ${await added.text()}`);
  return { email, password, id: user.id };
}
