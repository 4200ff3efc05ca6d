/**
 * Local freshness: the time from an accepted export (HTTP 200) to the event being readable through
 * the read API, on the local platform with its default writer batching.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LOCAL_WRITER_DEFAULTS, startLocalPlatform } from '../../lambdas/local/platform';
import { readApi } from '../../test/support/read-api-client';
import { percentile } from '../harness';

interface FreshnessResult {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  batchingWindowMs: number;
}

export async function measureFreshness(samples = 30): Promise<FreshnessResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'waggle-freshness-'));
  const platform = await startLocalPlatform({ port: 0, dataDir });
  try {
    const api = readApi(platform.url, platform.apiKey);
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const eventId = randomUUID();
      const response = await api.post('/events', {
        event: { event_id: eventId, event_type: 'tool', event_name: 'freshness', inputs: { i } },
      });
      if (response.status !== 200) throw new Error(`ingest answered ${response.status}`);
      const accepted = performance.now();
      for (;;) {
        const found = await api.export({
          filters: [{ field: 'event_id', operator: 'is', value: eventId, type: 'string' }],
        });
        if (found.totalEvents === 1) break;
        if (performance.now() - accepted > 30_000) throw new Error('event not readable within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      times.push(performance.now() - accepted);
    }
    times.sort((a, b) => a - b);
    return {
      samples,
      p50Ms: percentile(times, 50),
      p99Ms: percentile(times, 99),
      batchingWindowMs: LOCAL_WRITER_DEFAULTS.maximumBatchingWindowMs,
    };
  } finally {
    await platform.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
