/**
 * The local platform in a process of its own for the proxy benchmark, as `npm start` runs it beside
 * the applications that call it: the benchmark's client and fake provider then share no event loop
 * and no heap with the proxy. Started with the parent's runtime and loader flags; prints
 * `{"url", "apiKey"}` on one line once listening and closes when its stdin ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type LocalPlatformOptions, startLocalPlatform } from '../../lambdas/local/platform';

/** The platform settings a benchmark varies (JSON, passed on the child's command line). */
export type PlatformSettings = Pick<LocalPlatformOptions, 'writer' | 'writerThread'>;

export interface PlatformProcess {
  url: string;
  apiKey: string;
  close(): Promise<void>;
}

export function startPlatformProcess(
  dataDir: string,
  settings: PlatformSettings = {},
): Promise<PlatformProcess> {
  const self = fileURLToPath(import.meta.url);
  const child: ChildProcess = spawn(
    process.execPath,
    [...process.execArgv, self, '--platform-child', dataDir, JSON.stringify(settings)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`the platform process exited with ${code} before listening`)),
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((candidate) => candidate.startsWith('{"url"'));
      if (!line) return;
      const { url, apiKey } = JSON.parse(line) as { url: string; apiKey: string };
      resolve({
        url,
        apiKey,
        close: async () => {
          child.stdin?.end();
          await exited;
        },
      });
    });
  });
}

async function runPlatformChild(dataDir: string, settings: PlatformSettings): Promise<void> {
  const platform = await startLocalPlatform({ port: 0, dataDir, ...settings });
  process.stdout.write(`${JSON.stringify({ url: platform.url, apiKey: platform.apiKey })}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => {
    void platform.close().then(() => process.exit(0));
  });
}

if (process.argv[2] === '--platform-child') {
  const [dataDir, settings] = process.argv.slice(3);
  if (!dataDir) throw new Error('usage: platform-process.ts --platform-child <data dir> <settings JSON>');
  await runPlatformChild(dataDir, JSON.parse(settings ?? '{}') as PlatformSettings);
}
