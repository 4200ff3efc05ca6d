/**
 * A node:http service for several tenants, each tracing into its own Waggle project with its own
 * API key:
 * - a bounded (LRU) cache of WaggleTracers keyed by tenant and workflow; an evicted tracer is shut
 *   down, which flushes what it still holds;
 * - environment-based routing: a tenant lives in an environment, and each environment has its own
 *   Waggle endpoint (WAGGLE_SERVER_URL_<ENV>);
 * - one tracer per workflow (`chat`, `ingest`), so each keeps its own session name and source;
 * - graceful shutdown: stop accepting requests, then flush and shut down every cached tracer.
 *
 * `npx tsx sdk/examples/multi-tenant-server.ts` runs a demo: two local platforms stand in for the
 * production and staging environments, the server answers a few requests to itself, shuts down and
 * reads each tenant's events back from its own environment.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { WaggleTracer } from '@waggle/sdk';
import { type ExportedEvent, openBackend, runIfMain, type WaggleBackend } from './waggle-backend';

export interface Tenant {
  id: string;
  apiKey: string;
  project: string;
  environment: string;
}

export type Workflow = 'chat' | 'ingest';

export interface AppOptions {
  tenants: Tenant[];
  /** Waggle endpoint per environment name. */
  environments: Record<string, string>;
  /** Most tracers kept at once; the least recently used is shut down beyond it. */
  maxTracers?: number;
}

/** Environments from WAGGLE_SERVER_URL_<NAME> variables (e.g. WAGGLE_SERVER_URL_STAGING). */
export function environmentsFromEnv(
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const match = /^WAGGLE_SERVER_URL_([A-Z0-9_]+)$/.exec(name);
    if (match?.[1] && value) found[match[1].toLowerCase()] = value;
  }
  return found;
}

/** Tracers by key, least recently used first; Map keeps insertion order, so re-inserting on use is enough. */
export class TracerCache {
  private readonly tracers = new Map<string, WaggleTracer>();
  private readonly closing = new Set<Promise<void>>();
  evictions = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.tracers.size;
  }

  get(key: string, create: () => WaggleTracer): WaggleTracer {
    let tracer = this.tracers.get(key);
    if (tracer) {
      this.tracers.delete(key);
    } else {
      tracer = create();
    }
    this.tracers.set(key, tracer);
    while (this.tracers.size > this.max) {
      const [oldestKey, oldest] = this.tracers.entries().next().value as [string, WaggleTracer];
      this.tracers.delete(oldestKey);
      this.evictions++;
      // shutdown() flushes first and never rejects; track it so close() waits for it too.
      const done = oldest.shutdown(5_000);
      this.closing.add(done);
      void done.then(() => this.closing.delete(done));
    }
    return tracer;
  }

  async close(): Promise<void> {
    const all = [...this.tracers.values()];
    this.tracers.clear();
    await Promise.all([...all.map((t) => t.shutdown(5_000)), ...this.closing]);
  }
}

export function createApp(options: AppOptions) {
  const tenants = new Map(options.tenants.map((t) => [t.id, t]));
  const cache = new TracerCache(options.maxTracers ?? 100);

  const tracerFor = (tenant: Tenant, workflow: Workflow): WaggleTracer =>
    cache.get(`${tenant.id}:${workflow}`, () => {
      const serverUrl = options.environments[tenant.environment];
      // An unknown environment disables this tracer (one warning) rather than sending to the wrong place.
      return new WaggleTracer({
        apiKey: tenant.apiKey,
        project: tenant.project,
        serverUrl,
        disabled: serverUrl === undefined,
        source: tenant.environment,
        sessionName: workflow,
      });
    });

  const handlers: Record<
    Workflow,
    (tracer: WaggleTracer, body: Record<string, unknown>) => Promise<unknown>
  > = {
    chat: (tracer, body) => {
      const retrieve = tracer.trace(async function retrieveContext(question: string) {
        return [`faq entry about ${question}`];
      });
      const generate = tracer.trace(
        async function generateAnswer(question: string, context: string[]) {
          tracer.enrichSpan({
            config: { model: 'gpt-4o-mini' },
            metadata: { prompt_tokens: 20, completion_tokens: 8 },
          });
          return `Answer to "${question}" (from ${context.length} source)`;
        },
        { eventType: 'model' },
      );
      return tracer.trace(
        async function chatTurn(message: string) {
          return { answer: await generate(message, await retrieve(message)) };
        },
        { eventType: 'chain' },
      )(String(body.message ?? ''));
    },
    ingest: (tracer, body) =>
      tracer.trace(async function ingestDocuments(documents: string[]) {
        const embed = tracer.trace(async (doc: string) => doc.length, {
          name: 'embedDocument',
          eventType: 'tool',
        });
        return { indexed: (await Promise.all(documents.map(embed))).length };
      })(Array.isArray(body.documents) ? body.documents.map(String) : []),
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/tenants\/([^/]+)\/(chat|ingest)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return send(res, 404, { error: 'not found' });
    const tenant = tenants.get(decodeURIComponent(match[1] as string));
    if (!tenant) return send(res, 404, { error: 'unknown tenant' });
    const workflow = match[2] as Workflow;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await text(req)) || '{}') as Record<string, unknown>;
    } catch {
      return send(res, 400, { error: 'body must be JSON' });
    }
    const tracer = tracerFor(tenant, workflow);
    // A session per conversation: the client sends back the id it got to continue it (multi-turn).
    // withSession scopes it to this request, so concurrent requests never share one.
    const header = req.headers['x-session-id'];
    const sessionId = typeof header === 'string' && header ? header : randomUUID();
    const result = await tracer.withSession(sessionId, () => handlers[workflow](tracer, body));
    send(res, 200, result, { 'x-session-id': sessionId });
  }

  return {
    server,
    cache,
    async listen(port = 0, host = '127.0.0.1'): Promise<string> {
      await new Promise<void>((resolve) => server.listen(port, host, resolve));
      return `http://${host}:${(server.address() as AddressInfo).port}`;
    },
    /** Stops accepting requests, lets in-flight ones finish, then flushes every tracer. */
    async shutdown(): Promise<void> {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cache.close();
    },
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export interface MultiTenantDemoResult {
  /** Events read back per tenant, from that tenant's environment. */
  events: Record<string, ExportedEvent[]>;
  /** Each tenant's sessions looked up in the other tenant's environment (must be empty). */
  crossTenantEvents: number;
  /** Session ids per tenant, with the number of spans the demo's requests made in each. */
  sessions: Record<string, Map<string, number>>;
  evictions: number;
  statuses: number[];
}

export async function main(log: (line: string) => void = console.log): Promise<MultiTenantDemoResult> {
  // Two local platforms stand in for two environments, each with its own key and project.
  const backends: Record<string, WaggleBackend> = {};
  try {
    const [production, staging] = await Promise.all([
      openBackend({ env: {}, projectName: 'acme' }),
      openBackend({ env: {}, projectName: 'globex' }),
    ]);
    backends.production = production;
    backends.staging = staging;
    const tenants: Tenant[] = [
      { id: 'acme', apiKey: production.apiKey, project: 'acme', environment: 'production' },
      { id: 'globex', apiKey: staging.apiKey, project: 'globex', environment: 'staging' },
    ];
    const app = createApp({
      tenants,
      environments: { production: production.serverUrl, staging: staging.serverUrl },
      // Smaller than tenants x workflows, so the demo also shows an eviction flushing its tracer.
      maxTracers: 3,
    });
    const base = await app.listen();
    const statuses: number[] = [];
    const sessions: Record<string, Map<string, number>> = { acme: new Map(), globex: new Map() };
    // spans: what the request traces (chat: turn, retrieval, model; ingest: one plus one per document).
    const call = async (
      tenant: string,
      workflow: string,
      body: unknown,
      spans: number,
      sessionId?: string,
    ) => {
      const response = await fetch(`${base}/tenants/${tenant}/${workflow}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(sessionId ? { 'x-session-id': sessionId } : {}) },
        body: JSON.stringify(body),
      });
      statuses.push(response.status);
      const id = response.headers.get('x-session-id');
      const perTenant = sessions[tenant];
      if (id && perTenant && response.status === 200) perTenant.set(id, (perTenant.get(id) ?? 0) + spans);
      log(`${tenant}/${workflow} -> ${response.status} ${await response.text()}`);
      return id ?? undefined;
    };

    const [acmeChat] = await Promise.all([
      call('acme', 'chat', { message: 'Where is my order?' }, 3),
      call('globex', 'chat', { message: 'How do I reset my password?' }, 3),
      call('acme', 'ingest', { documents: ['returns policy', 'shipping times'] }, 3),
    ]);
    // The second turn continues acme's chat session.
    await call('acme', 'chat', { message: 'And when will it arrive?' }, 3, acmeChat);
    await call('globex', 'ingest', { documents: ['password policy'] }, 2);
    await call('initech', 'chat', { message: 'hello' }, 0);

    await app.shutdown();
    log(`tracers evicted: ${app.cache.evictions}; all flushed on shutdown`);

    const events: Record<string, ExportedEvent[]> = {};
    let crossTenantEvents = 0;
    for (const tenant of tenants) {
      const own = backends[tenant.environment] as WaggleBackend;
      const other = tenant.environment === 'production' ? staging : production;
      events[tenant.id] = [];
      for (const [sessionId, spans] of sessions[tenant.id] ?? []) {
        const found = await own.waitForEvents(sessionId, (e) => e.length >= spans);
        events[tenant.id]?.push(...found);
        crossTenantEvents += (await other.sessionEvents(sessionId)).length;
      }
      const summary = (events[tenant.id] ?? []).map((e) => `${e.event_type}:${e.event_name}`).sort();
      log(`${tenant.id} (${tenant.environment}, project ${tenant.project}): ${summary.join(', ')}`);
    }
    return { events, crossTenantEvents, sessions, evictions: app.cache.evictions, statuses };
  } finally {
    await Promise.all(Object.values(backends).map((b) => b.close()));
  }
}

runIfMain(import.meta.url, main);
