/**
 * API-key security tests: revoked, rotated (old key after its grace period), wrong
 * checksum, a key of project A used on project B's data, and brute force. Each must fail closed
 * with the data untouched.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemFromRecord, recordFromItem } from '../../lambdas/adapters/aws/dynamo-key-registry';
import {
  createDuckDbQueryEngine,
  type DuckDbQueryEngine,
} from '../../lambdas/adapters/local/duckdb-query-engine';
import { generateApiKey, hashApiKey } from '../../lambdas/domain/auth/api-key';
import { createAuthenticator } from '../../lambdas/domain/auth/authenticate';
import { createRequestAuthenticator } from '../../lambdas/domain/auth/authenticate-request';
import type { Tenant } from '../../lambdas/domain/events/event';
import { parseQueueEnvelope } from '../../lambdas/domain/ingest/queue-envelope';
import { createEventQueryService } from '../../lambdas/domain/query/event-query-service';
import { httpErrorOf } from '../../lambdas/http/errors';
import { createIngestHandler } from '../../lambdas/ingest/app';
import { createQueryApiHandler } from '../../lambdas/query-api/app';
import { apigwEvent } from '../support/apigw-event';
import { MemoryKeyRegistry, MemoryObjectStore, MemoryQueue } from '../support/memory-ports';
import { BASE_TIME, makeEvent, writeEvents } from '../unit/query/store-fixture';
import { apiKeyPayload, body, change, dataPlane, NOW } from '../unit/sync/fixtures';

const PROJECT_A: Tenant = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-a' };
const PROJECT_B: Tenant = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-b' };

/** An ingest app whose registry is fed by the sync controller, as on a data plane. */
function ingestPlane(clock: () => number) {
  const world = dataPlane({ clock });
  const queue = new MemoryQueue();
  const ingest = createIngestHandler({
    keys: world.registry,
    rawArchive: new MemoryObjectStore(),
    overflowStore: new MemoryObjectStore(),
    eventsQueue: queue,
    clock,
  });
  const send = async (key: string) =>
    (
      await ingest(
        apigwEvent({
          method: 'POST',
          path: '/v1/traces',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: '{"resourceSpans":[]}',
          base64: false,
        }),
      )
    ).statusCode;
  return { world, queue, send };
}

describe('revoked and rotated keys', () => {
  it('a revoked key is refused with 403 once the cached record runs out, and by a new instance at once', async () => {
    let now = NOW;
    const plane = ingestPlane(() => now);
    const key = generateApiKey();
    const hash = hashApiKey(key);
    const controller = plane.world.controller;
    await controller.handle(await body(change('api-key.upserted', hash, 1, apiKeyPayload(hash))));
    expect(await plane.send(key)).toBe(200);
    await controller.handle(
      await body(change('api-key.revoked', hash, 2, apiKeyPayload(hash)), { issuedAt: now }),
    );
    const fresh = createAuthenticator(plane.world.registry, { clock: () => now });
    await expect(fresh(`Bearer ${key}`, 'ingest')).rejects.toMatchObject({ kind: 'forbidden' });
    now += 30_000;
    expect(await plane.send(key)).toBe(403);
  });

  it('a rotated key works inside its grace period and is refused (403) after it, cache or not', async () => {
    let now = NOW;
    const plane = ingestPlane(() => now);
    const [oldKey, newKey] = [generateApiKey(), generateApiKey()];
    const [oldHash, newHash] = [hashApiKey(oldKey), hashApiKey(newKey)];
    const controller = plane.world.controller;
    await controller.handle(await body(change('api-key.upserted', oldHash, 1, apiKeyPayload(oldHash))));
    expect(await plane.send(oldKey)).toBe(200);

    // The rotation: the new key arrives, the old one comes back with an expiry 10 minutes out.
    const graceEnd = now + 600_000;
    await controller.handle(await body(change('api-key.upserted', newHash, 1, apiKeyPayload(newHash))));
    await controller.handle(
      await body(change('api-key.upserted', oldHash, 2, apiKeyPayload(oldHash, { expiresAt: graceEnd }))),
    );
    expect(plane.world.registry.records.get(oldHash)).toMatchObject({ expiresAt: graceEnd, revoked: false });
    // The expiry survives the DynamoDB registry's item mapping.
    const stored = plane.world.registry.records.get(oldHash);
    expect(stored && recordFromItem(itemFromRecord(stored))).toEqual(stored);

    now = graceEnd - 1;
    expect(await plane.send(oldKey)).toBe(200);
    expect(await plane.send(newKey)).toBe(200);
    now = graceEnd;
    expect(await plane.send(oldKey)).toBe(403);
    expect(await plane.send(newKey)).toBe(200);
  });
});

describe('wrong checksum', () => {
  it('is refused with 401 and never reaches the key registry', async () => {
    const registry = new MemoryKeyRegistry();
    const key = generateApiKey();
    const tampered = `${key.slice(0, 10)}${key[10] === 'x' ? 'y' : 'x'}${key.slice(11)}`;
    // Even a registry that holds the tampered key's hash is never asked.
    await registry.register(tampered, { ...PROJECT_A, projectName: 'a' }, ['ingest']);
    const ingest = createIngestHandler({
      keys: registry,
      rawArchive: new MemoryObjectStore(),
      overflowStore: new MemoryObjectStore(),
      eventsQueue: new MemoryQueue(),
    });
    for (const bad of [tampered, key.slice(0, -3)]) {
      const response = await ingest(
        apigwEvent({
          method: 'POST',
          path: '/events',
          headers: { authorization: `Bearer ${bad}`, 'content-type': 'application/json' },
          body: '{}',
          base64: false,
        }),
      );
      expect(response.statusCode).toBe(401);
    }
    expect(registry.lookups).toBe(0);
  });
});

describe("a key of project A on project B's data", () => {
  const keyA = generateApiKey();
  let root: string;
  let engine: DuckDbQueryEngine;
  let queue: MemoryQueue;
  let read: (
    method: string,
    path: string,
    options?: { body?: unknown },
  ) => Promise<{ status: number; text: string }>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'waggle-keys-'));
    await writeEvents(root, [
      makeEvent({ ...PROJECT_A, event_id: 'a-1', session_id: 'sess-a', metadata: { who: 'alpha' } }),
      makeEvent({ ...PROJECT_B, event_id: 'b-1', session_id: 'sess-b', metadata: { who: 'bravo' } }),
      makeEvent({ ...PROJECT_B, event_id: 'sess-b', session_id: 'sess-b', event_type: 'session' }),
    ]);
    engine = await createDuckDbQueryEngine({ storeRoot: root });
    const keys = new MemoryKeyRegistry();
    await keys.register(keyA, { ...PROJECT_A, projectName: 'alpha-app' }, ['ingest', 'read']);
    await keys.put({
      keyHash: hashApiKey(generateApiKey()),
      ...PROJECT_B,
      projectName: 'bravo-app',
      scopes: ['ingest', 'read'],
      revoked: false,
      createdAt: 0,
    });
    queue = new MemoryQueue();
    const handler = createQueryApiHandler({
      keys,
      // The reads' clock too: the fixture's events are inside their default window.
      queries: createEventQueryService(engine, { clock: () => BASE_TIME + 60_000 }),
      eventsQueue: queue,
      overflowStore: new MemoryObjectStore(),
      clock: () => BASE_TIME + 60_000,
    });
    read = async (method, path, options = {}) => {
      const event = apigwEvent({
        method,
        path,
        headers: { authorization: `Bearer ${keyA}`, 'content-type': 'application/json' },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body), base64: false }),
      });
      event.routeKey = '$default';
      const response = await handler(event);
      return { status: response.statusCode ?? 0, text: String(response.body) };
    };
  });
  afterAll(async () => {
    engine?.close();
    await rm(root, { recursive: true, force: true });
  });

  it("exports only A's events, and refuses to name B's project", async () => {
    const all = await read('POST', '/v1/events/export', { body: {} });
    expect(all.status).toBe(200);
    expect(all.text).toContain('alpha');
    expect(all.text).not.toMatch(/bravo|b-1|sess-b|proj-b/);
    for (const project of ['bravo-app', 'proj-b']) {
      const other = await read('POST', '/v1/events/export', { body: { project } });
      expect(other.status).toBe(400);
      expect(other.text).not.toContain('bravo"');
    }
  });

  it("cannot fetch B's event or session by id, nor delete them", async () => {
    expect((await read('GET', '/v1/events/b-1')).status).toBe(404);
    expect((await read('GET', '/v1/sessions/sess-b')).status).toBe(404);
    expect((await read('GET', '/v1/events/sess-b')).status).toBe(404);
    // A deletion is queued under the key's own project, so it can never hide B's event.
    expect((await read('DELETE', '/v1/events/b-1')).status).toBe(200);
    const records = queue.messages.flatMap((message) => {
      const envelope = parseQueueEnvelope(message.body);
      return 'records' in envelope ? envelope.records : [];
    });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ kind: 'tombstone', tombstone: { project_id: 'proj-a' } });
  });
});

describe('brute force', () => {
  const policy = { limit: 5, windowMs: 60_000 };

  function setup() {
    let now = 0;
    const registry = new MemoryKeyRegistry();
    const goodKey = generateApiKey();
    void registry.register(goodKey, { ...PROJECT_A, projectName: 'a' }, ['ingest']);
    const clock = () => now;
    const authenticate = createRequestAuthenticator({
      apiKeys: createAuthenticator(registry, { clock }),
      failures: { clock, failureLimit: policy },
    });
    const status = (key: string, client: string) =>
      authenticate(`Bearer ${key}`, { scope: 'ingest', clientId: client }).then(
        () => ({ status: 200, retryAfter: undefined }),
        // Answered over HTTP as the edge maps the domain's refusal.
        (error: unknown) => ({
          status: httpErrorOf(error)?.status,
          retryAfter: httpErrorOf(error)?.headers?.['Retry-After'],
        }),
      );
    return {
      registry,
      goodKey,
      status,
      setNow: (value: number) => {
        now = value;
      },
    };
  }

  it('answers 429 with Retry-After after N failures, before any lookup, until the window ends', async () => {
    const { registry, goodKey, status, setNow } = setup();
    for (let i = 0; i < policy.limit; i++) {
      expect((await status(generateApiKey(), 'attacker')).status).toBe(401);
    }
    const lookups = registry.lookups;
    setNow(20_000);
    expect(await status(generateApiKey(), 'attacker')).toEqual({ status: 429, retryAfter: '40' });
    // Fail closed: while blocked, the client's valid key waits too (a lucky guess would look the same).
    expect((await status(goodKey, 'attacker')).status).toBe(429);
    expect(registry.lookups).toBe(lookups);
    setNow(60_000);
    expect((await status(goodKey, 'attacker')).status).toBe(200);
    expect((await status(generateApiKey(), 'attacker')).status).toBe(401);
  });

  it("a good key from another client is not blocked by one client's failures", async () => {
    const { goodKey, status } = setup();
    for (let i = 0; i < policy.limit + 3; i++) await status(generateApiKey(), 'attacker');
    expect((await status(goodKey, 'attacker')).status).toBe(429);
    expect((await status(goodKey, 'neighbour')).status).toBe(200);
  });

  it('successful requests are never counted', async () => {
    const { goodKey, status } = setup();
    for (let i = 0; i < policy.limit * 4; i++) expect((await status(goodKey, 'busy')).status).toBe(200);
    expect((await status(generateApiKey(), 'busy')).status).toBe(401);
  });
});
