/**
 * The web console in Chromium: how long the session view takes to show a 5,000-event session
 * (makeLargeSession(5000), ui/src/session/fixtures.ts) beside a 100-event one in the same run, and
 * the console's initial JavaScript, gzipped.
 *
 * The console is built into a temp folder and served by the local platform as `npm start` serves it;
 * the browser signs in for real and gets a real data-plane token, and the session read
 * (`GET /v1/sessions/{id}`) is answered with the fixture by Playwright's request routing, so the
 * time is the console's: a full load of the session's URL until the tree has a row and the timeline
 * a bar (in-page time from navigation start, read in the frame that shows them). The sizes alternate,
 * a warm-up first; the median of the runs counts.
 *
 * Alone: `npm exec -- tsx bench/ui/console-bench.ts`.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  buildConsoleForTests,
  launchBrowser,
  signIn,
  startConsolePlatform,
} from '../../test/support/console-browser';
import { countEvents, makeLargeSession } from '../../ui/src/session/fixtures';

export interface SessionRenderRow {
  events: number;
  /** Bytes of the session's JSON answer. */
  jsonBytes: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** From the session read's last byte to the frame that shows tree and timeline (median). */
  afterDataMedianMs: number;
  runs: number;
}

export interface ConsoleBench {
  rows: SessionRenderRow[];
  /** The entry script and the chunks index.html preloads, gzipped (level 9) and raw. */
  initialJs: {
    gzipBytes: number;
    rawBytes: number;
    files: { name: string; gzipBytes: number; entry: boolean }[];
  };
  chromium: string;
}

const SIZES = [100, 5_000];
/**
 * Runs in the page: the in-page time once the tree has a row and the timeline a bar. A function, not
 * a string (the console's CSP allows no eval), typed without the DOM (this project has no DOM types).
 */
function shown(): { at: number; dataAt: number } | false {
  const doc = (globalThis as unknown as { document: { querySelector(selector: string): unknown } }).document;
  const row = doc.querySelector('[role="tree"][aria-label="Events"] [role="treeitem"]');
  const bar = doc.querySelector('.wg-tt-bar');
  if (row === null || bar === null) return false;
  // The session read's resource timing: when its answer had fully arrived.
  const read = performance
    .getEntriesByType('resource')
    .filter((entry) => entry.name.includes('/v1/sessions/'))
    .at(-1) as { responseEnd: number } | undefined;
  return { at: performance.now(), dataAt: read?.responseEnd ?? Number.NaN };
}
const RUNS = 7;

/** What index.html loads before the app runs: its module script and its modulepreload links. */
export async function initialJsSize(dist: string): Promise<ConsoleBench['initialJs']> {
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const sources = new Map<string, boolean>();
  for (const match of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g))
    sources.set(match[1] as string, true);
  for (const match of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g))
    if (!sources.has(match[1] as string)) sources.set(match[1] as string, false);
  let gzipBytes = 0;
  let rawBytes = 0;
  const files: ConsoleBench['initialJs']['files'] = [];
  for (const [source, entry] of sources) {
    const bytes = await readFile(join(dist, source.replace(/^\//, '')));
    const gzipped = gzipSync(bytes, { level: 9 }).byteLength;
    rawBytes += bytes.byteLength;
    gzipBytes += gzipped;
    files.push({ name: source.replace(/^.*\//, ''), gzipBytes: gzipped, entry });
  }
  return { gzipBytes, rawBytes, files };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export async function measureConsole(options: { runs?: number } = {}): Promise<ConsoleBench> {
  const runs = options.runs ?? RUNS;
  const dist = await buildConsoleForTests();
  const cp = await startConsolePlatform(dist);
  const browser = await launchBrowser();
  try {
    const initialJs = await initialJsSize(dist);
    const bodies = new Map(
      SIZES.map((size) => {
        const session = makeLargeSession(size);
        if (countEvents(session) !== size)
          throw new Error(`makeLargeSession(${size}) made ${countEvents(session)}`);
        return [size, { id: session.session_id, json: JSON.stringify(session) }];
      }),
    );
    const page = await browser.page();
    page.setDefaultTimeout(60_000);
    await signIn(page, cp.consoleUrl, cp.admin.email, cp.admin.password);
    await page.getByRole('heading', { name: 'Sessions' }).waitFor();
    // The session read is the fixture; everything else (config, token, the app's files) is real.
    let answering = bodies.get(SIZES[0] as number) as { id: string; json: string };
    await page.route(`${cp.platform.url}/v1/sessions/**`, (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: answering.json }),
    );
    const renderOnce = async (size: number): Promise<{ at: number; dataAt: number }> => {
      answering = bodies.get(size) as { id: string; json: string };
      await page.goto(`${cp.consoleUrl}projects/${cp.platform.projectId}/sessions/${answering.id}`);
      // Checked on every frame: the first frame that shows both.
      const handle = await page.waitForFunction(shown, undefined, { polling: 'raf', timeout: 60_000 });
      return (await handle.jsonValue()) as { at: number; dataAt: number };
    };
    const times = new Map<number, { at: number; dataAt: number }[]>(SIZES.map((size) => [size, []]));
    for (const size of SIZES) await renderOnce(size); // warm-up: caches, JIT
    for (let run = 0; run < runs; run++)
      for (const size of run % 2 ? [...SIZES].reverse() : SIZES)
        times.get(size)?.push(await renderOnce(size));
    const rows = SIZES.map((size) => {
      const samples = times.get(size) as { at: number; dataAt: number }[];
      const values = samples.map((sample) => sample.at);
      return {
        events: size,
        jsonBytes: Buffer.byteLength(bodies.get(size)?.json ?? ''),
        medianMs: median(values),
        minMs: Math.min(...values),
        maxMs: Math.max(...values),
        afterDataMedianMs: median(samples.map((sample) => sample.at - sample.dataAt)),
        runs: values.length,
      };
    });
    return { rows, initialJs, chromium: browser.context.browser()?.version() ?? 'unknown' };
  } finally {
    await browser.close();
    await cp.close();
    await rm(dist, { recursive: true, force: true });
  }
}

export function formatConsoleSection(bench: ConsoleBench): string {
  const fmt = (n: number, digits = 0) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const [baseline, large] = bench.rows;
  return `## Console: session view render and initial JavaScript

bench/ui/console-bench.ts: the console built by Vite and served by the local platform, in headless Chromium
${bench.chromium} (1280x800). A full load of a session's URL, signed in, until the event tree has a row and the
timeline a bar (in-page time from navigation start: the app's files, config.json, a data-plane token from the
control plane, the session read, the render); the session read is answered with \`makeLargeSession(n)\`
(ui/src/session/fixtures.ts) by the browser's request routing. Sizes alternate after a warm-up; median of ${baseline?.runs ?? 0} runs.

| session | JSON answer | median ms to tree + timeline | min ms | max ms | median ms after the read's last byte |
|---|---:|---:|---:|---:|---:|
${bench.rows.map((row) => `| ${fmt(row.events)} events | ${fmt(row.jsonBytes / 1024)} KiB | ${fmt(row.medianMs)} | ${fmt(row.minMs)} | ${fmt(row.maxMs)} | ${fmt(row.afterDataMedianMs)} |`).join('\n')}

${baseline && large ? `${fmt(large.events)} events take ${fmt(large.medianMs / baseline.medianMs, 2)}x the ${fmt(baseline.events)}-event baseline (+${fmt(large.medianMs - baseline.medianMs)} ms); from the read's last byte (JSON parse, tree building, the first render of the virtualized rows) ${fmt(large.afterDataMedianMs)} ms against ${fmt(baseline.afterDataMedianMs)} ms.` : ''}

Initial JavaScript (index.html's module script and the chunks it preloads; every page is a lazy chunk
on top): **${fmt(bench.initialJs.gzipBytes / 1024, 1)} KiB gzipped** (gzip -9), ${fmt(bench.initialJs.rawBytes / 1024, 1)} KiB raw, in ${bench.initialJs.files.length} file(s):
${bench.initialJs.files.map((file) => `${file.name} ${fmt(file.gzipBytes / 1024, 1)} KiB (${file.entry ? 'entry' : 'preloaded'})`).join(', ')}.
`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(formatConsoleSection(await measureConsole()));
}
