/**
 * Where the examples send telemetry: the Waggle named by WAGGLE_SERVER_URL + WAGGLE_API_KEY when
 * both are set, otherwise the local platform (the code `npm start` runs) started in-process on
 * loopback with a temporary data directory, so the examples need no network and no AWS account.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ExportedEvent {
  event_id: string;
  event_type: string;
  event_name: string;
  parent_id?: string | null;
  session_id?: string;
  model?: string | null;
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  cost?: number | null;
  metadata?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface WaggleBackend {
  serverUrl: string;
  apiKey: string;
  /** True when the examples started the local platform themselves. */
  local: boolean;
  /** Events of one session through the read API (`POST /v1/events/export`). */
  sessionEvents(sessionId: string, apiKey?: string): Promise<ExportedEvent[]>;
  /** Polls until `ready` accepts the session's events, or throws after `timeoutMs`. */
  waitForEvents(
    sessionId: string,
    ready: (events: ExportedEvent[]) => boolean,
    options?: { apiKey?: string; timeoutMs?: number },
  ): Promise<ExportedEvent[]>;
  close(): Promise<void>;
}

export interface BackendOptions {
  /** WAGGLE_SERVER_URL and WAGGLE_API_KEY are read from here; process.env by default. */
  env?: Record<string, string | undefined>;
  /** Project of the local platform's API key. */
  projectName?: string;
}

export async function openBackend(options: BackendOptions = {}): Promise<WaggleBackend> {
  const env = options.env ?? process.env;
  const external = env.WAGGLE_SERVER_URL && env.WAGGLE_API_KEY;
  let serverUrl: string;
  let apiKey: string;
  let close: () => Promise<void>;
  if (external) {
    serverUrl = env.WAGGLE_SERVER_URL as string;
    apiKey = env.WAGGLE_API_KEY as string;
    close = async () => {};
  } else {
    // Loaded only when needed: it brings the whole local data plane with it.
    const { startLocalPlatform } = await import('../../lambdas/local/platform');
    const dataDir = await mkdtemp(join(tmpdir(), 'waggle-example-'));
    const platform = await startLocalPlatform({
      port: 0,
      dataDir,
      projectName: options.projectName,
      writer: { maximumBatchingWindowMs: 100 },
    });
    serverUrl = platform.url;
    apiKey = platform.apiKey;
    close = async () => {
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
    };
  }

  const sessionEvents = async (sessionId: string, key = apiKey): Promise<ExportedEvent[]> => {
    const response = await fetch(`${serverUrl}/v1/events/export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        filters: [{ field: 'session_id', operator: 'is', value: sessionId, type: 'string' }],
        limit: 500,
      }),
    });
    if (response.status !== 200)
      throw new Error(`export answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { events: ExportedEvent[] }).events;
  };

  return {
    serverUrl,
    apiKey,
    local: !external,
    sessionEvents,
    async waitForEvents(sessionId, ready, options = {}) {
      // Ingestion is asynchronous (queue, then batched writer): events appear about a second later.
      const deadline = Date.now() + (options.timeoutMs ?? 20_000);
      let last: ExportedEvent[] = [];
      for (;;) {
        last = await sessionEvents(sessionId, options.apiKey);
        if (ready(last)) return last;
        if (Date.now() > deadline) {
          throw new Error(`session ${sessionId}: events not ready in time (have ${last.length})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    },
    close,
  };
}

/** True when this file is the script node/tsx was started with (not imported by a test). */
function isMain(importMetaUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && importMetaUrl === pathToFileURL(resolve(script)).href;
}

/** Runs an example's main() when its file is the script started (exit 0, or 1 after printing the error). */
export function runIfMain(importMetaUrl: string, main: () => Promise<unknown>): void {
  if (!isMain(importMetaUrl)) return;
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
