/**
 * The local platform's ingest and read routes share one brute-force budget per source, as on AWS
 * (one DynamoDB table): guessing through the read API locks the source out of ingestion, and
 * guessing through ingestion locks it out of reads. Every request here comes from 127.0.0.1.
 */
import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../../lambdas/domain/auth/api-key';
import { platformForFile } from '../support/temp-platform';

const LIMIT = 3;
const WINDOW_MS = 60_000;
/** 20 s into a window: a source blocked now is told to retry in 40 s. */
let now = 100 * WINDOW_MS + 20_000;

const local = platformForFile('waggle-brute-force-', {
  log: () => {},
  auth: { clock: () => now, failureLimit: { limit: LIMIT, windowMs: WINDOW_MS } },
});

const EMPTY_TRACES = JSON.stringify({ resourceSpans: [] });

function ingest(authorization?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  return fetch(`${local.platform.url}/v1/traces`, { method: 'POST', headers, body: EMPTY_TRACES });
}

function read(authorization?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  return fetch(`${local.platform.url}/v1/events/export`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ filters: [], limit: 1 }),
  });
}

async function expectLockedOut(response: Response): Promise<void> {
  expect(response.status).toBe(429);
  expect(response.headers.get('retry-after')).toBe('40');
}

describe('one brute-force budget for ingest and reads', () => {
  it('failed reads lock the source out of ingestion, its valid key included', async () => {
    expect((await read(`Bearer ${local.platform.apiKey}`)).status).toBe(200);
    expect((await ingest(`Bearer ${local.platform.apiKey}`)).status).toBe(200);
    for (let i = 0; i < LIMIT; i++) expect((await read(`Bearer ${generateApiKey()}`)).status).toBe(401);

    const queued = local.platform.eventsQueue.depth();
    await expectLockedOut(await ingest(`Bearer ${local.platform.apiKey}`));
    await expectLockedOut(await read(`Bearer ${local.platform.apiKey}`));
    expect(local.platform.eventsQueue.depth()).toEqual(queued);
  });

  it('failed ingestion of every kind locks the source out of reads', async () => {
    now += WINDOW_MS;
    expect((await read(`Bearer ${local.platform.apiKey}`)).status).toBe(200);
    // No header, a malformed one, and a token (this platform runs without a control plane).
    expect((await ingest()).status).toBe(401);
    expect((await ingest('Basic d2dsOmd1ZXNz')).status).toBe(401);
    expect((await ingest('Bearer aaa.bbb.ccc')).status).toBe(401);

    await expectLockedOut(await read(`Bearer ${local.platform.apiKey}`));
    await expectLockedOut(await ingest(`Bearer ${local.platform.apiKey}`));
  });

  it('lets the source back in when the window ends', async () => {
    now += WINDOW_MS;
    expect((await read(`Bearer ${local.platform.apiKey}`)).status).toBe(200);
    expect((await ingest(`Bearer ${local.platform.apiKey}`)).status).toBe(200);
  });
});
