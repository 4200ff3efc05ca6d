import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPlatform } from '../../../lambdas/local/platform';
import { main } from '../../examples/quickstart';

type Platform = Awaited<ReturnType<typeof startLocalPlatform>>;
let dataDir: string;
let platform: Platform;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waggle-quickstart-'));
  platform = await startLocalPlatform({ port: 0, dataDir, writer: { maximumBatchingWindowMs: 100 } });
});

afterAll(async () => {
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the SDK README quick start', () => {
  it('traces an agent into one session that the read API returns', async () => {
    const result = await main({ serverUrl: platform.url, apiKey: platform.apiKey });
    expect(result.eventTypes).toEqual(['chain', 'model', 'tool']);
  });
});
