/**
 * Fault tests on the local platform: a store write that fails, a raw-archive write that fails, a
 * writer that crashes before or after writing, the same batch delivered twice, and a restart in the
 * middle of a load. Afterwards every accepted event is readable exactly once, and every accepted
 * request is in the raw archive and replays exactly once.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordsMessageBody } from '../../lambdas/domain/ingest/queue-envelope';
import { RAW_BATCHES_PREFIX } from '../../lambdas/domain/ingest/raw-batch-archive';
import { replayArchive } from '../../lambdas/domain/ingest/replay';
import type { DeletableObjectStore, ObjectStore } from '../../lambdas/domain/ports';
import { type LocalPlatformOptions, startLocalPlatform } from '../../lambdas/local/platform';
import { eventually, readApi } from '../support/read-api-client';

type Platform = Awaited<ReturnType<typeof startLocalPlatform>>;

const FAST_WRITER = { maximumBatchingWindowMs: 100, visibilityTimeoutMs: 1_000, batchSize: 50 };
let dataDir: string;
let platform: Platform | undefined;
let startedAt: number;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waggle-faults-'));
  startedAt = Date.now();
});

afterEach(async () => {
  await platform?.close();
  platform = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

function start(extra: Partial<LocalPlatformOptions> = {}): Promise<Platform> {
  return startLocalPlatform({ port: 0, dataDir, writer: FAST_WRITER, ...extra });
}

/** Sends `count` tool events with fresh ids in one batch request; returns the ids if accepted. */
async function sendEvents(target: Platform, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  const response = await readApi(target.url, target.apiKey).post('/events/batch', {
    events: ids.map((event_id, i) => ({ event_id, event_type: 'tool', event_name: `e${i}`, inputs: { i } })),
  });
  if (response.status !== 200) throw new Error(`batch answered ${response.status}`);
  return ids;
}

/** Waits until exactly `expected` ids are readable, each once, and nothing else. */
async function expectExactlyOnce(target: Platform, expected: string[]): Promise<void> {
  const api = readApi(target.url, target.apiKey);
  const body = await eventually(async () => {
    const result = await api.export({
      filters: [{ field: 'event_type', operator: 'is', value: 'tool', type: 'string' }],
    });
    return result.totalEvents >= expected.length ? result : undefined;
  }, 30_000);
  const ids = body.events.map((e) => e.event_id);
  expect(body.totalEvents).toBe(expected.length);
  expect(ids.length).toBe(new Set(ids).size);
  expect([...ids].sort()).toEqual([...expected].sort());
}

/**
 * Waits until the raw archive holds `requests` distinct requests, then checks that a replay (dry
 * run) converts each exactly once and the events it would queue are exactly `expected`.
 */
async function expectRawArchiveReplaysOnce(target: Platform, requests: number, expected: string[]) {
  const replay = () =>
    replayArchive({
      archive: target.rawArchive,
      overflowStore: target.rawArchive,
      eventsQueue: { sendBatch: async () => {} },
      projectId: 'default',
      from: startedAt,
      to: Date.now(),
      dryRun: true,
    });
  const summary = await eventually(async () => {
    const result = await replay();
    return result.requests >= requests ? result : undefined;
  }, 30_000);
  expect(summary).toEqual({ requests, records: expected.length, failures: [] });
}

async function rawBatchObjects(target: Platform): Promise<number> {
  let objects = 0;
  for await (const _ of target.rawArchive.list(RAW_BATCHES_PREFIX)) objects++;
  return objects;
}

async function parquetFiles(target: Platform): Promise<number> {
  let files = 0;
  for await (const key of target.eventStore.list('events/')) if (key.endsWith('.parquet')) files++;
  return files;
}

describe('faults on the local platform', () => {
  it('recovers from failing store writes: the failed messages are retried', async () => {
    let failuresLeft = 3;
    const flaky = (store: DeletableObjectStore): DeletableObjectStore => ({
      put: async (key, body, options) => {
        if (key.startsWith('events/') && failuresLeft > 0) {
          failuresLeft--;
          throw new Error('simulated S3 outage');
        }
        return store.put(key, body, options);
      },
      get: (key) => store.get(key),
      list: (prefix) => store.list(prefix),
      delete: (key) => store.delete(key),
    });
    platform = await start({ faults: { eventStore: flaky } });
    const ids = [...(await sendEvents(platform, 40)), ...(await sendEvents(platform, 40))];
    await expectExactlyOnce(platform, ids);
    expect(failuresLeft).toBe(0);
    await expectRawArchiveReplaysOnce(platform, 2, ids);
  });

  it('keeps every accepted request when the raw batch PUT fails: only those messages are retried', async () => {
    let failuresLeft = 2;
    const flakyRaw = (store: ObjectStore): ObjectStore => ({
      put: async (key, body, options) => {
        if (key.startsWith(RAW_BATCHES_PREFIX) && failuresLeft > 0) {
          failuresLeft--;
          throw new Error('simulated S3 outage on the raw archive');
        }
        return store.put(key, body, options);
      },
      get: (key) => store.get(key),
      list: (prefix) => store.list(prefix),
    });
    platform = await start({ faults: { rawArchive: flakyRaw } });
    const ids = [...(await sendEvents(platform, 30)), ...(await sendEvents(platform, 30))];
    // The event records were not held up by the failed archive writes.
    await expectExactlyOnce(platform, ids);
    await expectRawArchiveReplaysOnce(platform, 2, ids);
    expect(failuresLeft).toBe(0);
  });

  it('keeps every accepted request when the writer crashes before archiving its batch', async () => {
    let crashes = 1;
    platform = await start({
      faults: {
        writer: (writer) => async (event) => {
          if (crashes > 0) {
            crashes--;
            throw new Error('simulated crash before anything was written');
          }
          return writer(event);
        },
      },
    });
    const ids = await sendEvents(platform, 20);
    await expectExactlyOnce(platform, ids);
    await expectRawArchiveReplaysOnce(platform, 1, ids);
    expect(crashes).toBe(0);
  });

  it('reads each event once after a writer crashes mid-batch after writing its files', async () => {
    let crashes = 1;
    platform = await start({
      faults: {
        writer: (writer) => async (event) => {
          const result = await writer(event);
          if (crashes > 0) {
            crashes--;
            throw new Error('simulated crash after the files were written');
          }
          return result;
        },
      },
    });
    const ids = await sendEvents(platform, 60);
    // The crashed batch is redelivered after its visibility timeout and written a second time.
    await eventually(async () => {
      const { visible, inFlight } = (platform as Platform).eventsQueue.depth();
      return visible + inFlight === 0 && (await parquetFiles(platform as Platform)) >= 2 ? true : undefined;
    });
    expect(crashes).toBe(0);
    await expectExactlyOnce(platform, ids);
    // The raw request may be archived by the crashed batch and again by its redelivery: replayed once.
    expect(await rawBatchObjects(platform)).toBeGreaterThanOrEqual(1);
    await expectRawArchiveReplaysOnce(platform, 1, ids);
  });

  it('reads each event once when the same batch is delivered twice', async () => {
    platform = await start();
    const ids = await sendEvents(platform, 30);
    await expectExactlyOnce(platform, ids);
    const stored = await platform.queries.exportEvents(
      { org_id: 'local', workspace_id: 'local', project_id: 'default' },
      { filters: [], limit: 100, page: 1 },
    );
    // The stored events, queued again as one message delivered twice.
    const body = recordsMessageBody(stored.events.map((event) => JSON.stringify({ kind: 'event', event })));
    await platform.eventsQueue.sendBatch([
      { id: 'a', body },
      { id: 'b', body },
    ]);
    await eventually(async () => (platform?.eventsQueue.depth().visible === 0 ? true : undefined));
    await eventually(async () => ((await parquetFiles(platform as Platform)) >= 2 ? true : undefined));
    await expectExactlyOnce(platform, ids);
  });

  it('loses nothing accepted when the platform restarts in the middle of a load', async () => {
    platform = await start();
    const accepted: string[] = [];
    let acceptedRequests = 0;
    const load = Array.from({ length: 12 }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 15));
      try {
        accepted.push(...(await sendEvents(platform as Platform, 25)));
        acceptedRequests++;
      } catch {
        // Refused while stopping: the client was not told "accepted", so nothing is owed.
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await platform.close();
    await Promise.all(load);
    expect(accepted.length).toBeGreaterThan(0);
    platform = await start();
    await expectExactlyOnce(platform, accepted);
    await expectRawArchiveReplaysOnce(platform, acceptedRequests, accepted);
  });
});
