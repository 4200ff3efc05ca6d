/**
 * A script that awaits flush() and shutdown() runs on after them even when the endpoint cannot be
 * reached: the SDK's timers are unref'd, and with nothing else holding the event loop (between two
 * export retries) Node used to exit in the middle of the awaited flush, silently skipping the
 * caller's remaining code (exit code 13 under a top-level await). Run in a child process, because
 * only a process with an empty event loop shows it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SDK_ENTRY = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'waggle-sdk-awaited-flush-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function runScript(
  path: string,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path],
      { cwd: REPO, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? null) : 0;
        resolve({ code: typeof code === 'number' ? code : null, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

describe('awaited flush and shutdown with an unreachable endpoint', () => {
  it('return within their time limits and the script runs on to its end', async () => {
    const script = join(work, 'flush-unreachable.mts');
    await writeFile(
      script,
      `import { WaggleTracer } from ${JSON.stringify(SDK_ENTRY)};
const tracer = new WaggleTracer({
  apiKey: 'wgl_test',
  project: 'default',
  serverUrl: 'http://127.0.0.1:${await closedPort()}',
  logger: { debug() {}, warn() {} },
});
tracer.trace(function step(x: number) { return x + 1; })(1);
console.log('flushed', await tracer.flush(1_500));
await tracer.shutdown(1_000);
console.log('shut down');
`,
    );
    const { code, stdout, stderr, ms } = await runScript(script);
    expect(stdout, `exit ${code} after ${ms} ms; stderr: ${stderr}`).toContain('flushed false');
    expect(stdout).toContain('shut down');
    expect(code).toBe(0);
    // Bounded by the time limits (1.5 s + at most 2 x 1 s), not held open any longer.
    expect(ms).toBeLessThan(15_000);
  }, 40_000);

  it('let the process end at once when there is nothing to send', async () => {
    const script = join(work, 'flush-nothing.mts');
    await writeFile(
      script,
      `import { WaggleTracer } from ${JSON.stringify(SDK_ENTRY)};
const tracer = new WaggleTracer({ apiKey: 'wgl_test', project: 'default', serverUrl: 'http://127.0.0.1:9' });
console.log('flushed', await tracer.flush(20_000));
await tracer.shutdown(20_000);
console.log('shut down');
`,
    );
    const { code, stdout, stderr, ms } = await runScript(script);
    expect(stdout, `exit ${code} after ${ms} ms; stderr: ${stderr}`).toContain('flushed true');
    expect(stdout).toContain('shut down');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(15_000);
  }, 40_000);
});
