import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey, isWellFormedApiKey } from '../../lambdas/domain/auth/api-key';
import { parseQueueEnvelope } from '../../lambdas/domain/ingest/queue-envelope';
import { DynamoFolderInUseError, startLocalDynamo } from '../../lambdas/local/dynamo-local';
import { type LocalPlatform, startLocalPlatform } from '../../lambdas/local/platform';

const otlpJson = JSON.stringify({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'platform-test' } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              name: 'chat gpt-4o',
              kind: 3,
              startTimeUnixNano: '1700000000000000000',
              endTimeUnixNano: '1700000001000000000',
              attributes: [{ key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } }],
            },
          ],
        },
      ],
    },
  ],
});

async function listAll(platform: LocalPlatform): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of platform.rawArchive.list('')) keys.push(key);
  return keys;
}

describe('local platform', () => {
  let dataDir: string;
  let platform: LocalPlatform | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'waggle-platform-'));
  });
  afterEach(async () => {
    await platform?.close();
    platform = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves health, ingests OTLP with its key into the queue and the archive, and writes local.json', async () => {
    platform = await startLocalPlatform({ port: 0, dataDir, projectName: 'demo' });
    expect(isWellFormedApiKey(platform.apiKey)).toBe(true);

    const health = await fetch(`${platform.url}/healthz`);
    expect(health.status).toBe(200);

    const unauthorized = await fetch(`${platform.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: otlpJson,
    });
    expect(unauthorized.status).toBe(401);
    expect(platform.eventsQueue.depth()).toEqual({ visible: 0, inFlight: 0 });

    const accepted = await fetch(`${platform.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.apiKey}` },
      body: otlpJson,
    });
    expect(accepted.status).toBe(200);
    expect(platform.eventsQueue.depth().visible).toBeGreaterThanOrEqual(1);
    // The raw request and the records, sent in one SendMessageBatch; nothing written to S3 by ingest.
    const envelopes = (await platform.eventsQueue.receive(10, 1_000)).map((m) => parseQueueEnvelope(m.body));
    const records = envelopes.flatMap((envelope) => ('records' in envelope ? envelope.records : []));
    expect(records[0]?.kind === 'event' && records[0].event.project_id).toBe('demo');
    const raw = envelopes.flatMap((envelope) => ('rawRequest' in envelope ? [envelope.rawRequest] : []));
    expect(raw.map((request) => request.header.tenant.project_id)).toEqual(['demo']);
    expect(await listAll(platform)).toHaveLength(0);

    const info = JSON.parse(await readFile(join(dataDir, 'local.json'), 'utf8'));
    expect(info).toEqual({
      apiKey: platform.apiKey,
      project: 'demo',
      url: platform.url,
      endpoints: {
        otlpTraces: `${platform.url}/v1/traces`,
        honeyhive: platform.url,
        health: `${platform.url}/healthz`,
      },
      dataDir,
    });
    expect((await stat(join(dataDir, 'local.json'))).mode & 0o777).toBe(0o600);
  });

  it('keeps its key, keys and data across a restart, and refuses a second opener of the same data', async () => {
    const first = await startLocalPlatform({ port: 0, dataDir });
    platform = first;
    await expect(startLocalDynamo(join(dataDir, 'dynamodb'))).rejects.toBeInstanceOf(DynamoFolderInUseError);
    await first.eventsQueue.sendBatch([{ id: 'a', body: 'kept across restart' }]);
    await first.close();

    platform = await startLocalPlatform({ port: 0, dataDir });
    expect(platform.apiKey).toBe(first.apiKey);
    expect(platform.eventsQueue.depth()).toEqual({ visible: 1, inFlight: 0 });
    const response = await fetch(`${platform.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.apiKey}` },
      body: otlpJson,
    });
    expect(response.status).toBe(200);
  });

  it('refuses at start a key that is not a Waggle key (format or checksum), naming the setting', async () => {
    const wrongChecksum = `${generateApiKey().slice(0, -6)}AAAAAA`;
    for (const apiKey of ['wgl_chosen-by-the-developer', wrongChecksum]) {
      await expect(startLocalPlatform({ port: 0, dataDir, apiKey })).rejects.toThrow(
        /WAGGLE_LOCAL_API_KEY.*npm run keys/,
      );
    }
  });

  it('takes the key from options when given', async () => {
    const apiKey = generateApiKey();
    platform = await startLocalPlatform({ port: 0, dataDir, apiKey });
    expect(platform.apiKey).toBe(apiKey);
    const response = await fetch(`${platform.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: otlpJson,
    });
    expect(response.status).toBe(200);
  });
});
