/**
 * Sessions of one tracer. The session id is made on the client, so spans never wait for the data
 * plane: `POST /session/start` runs in the background at the first span (or on startSession()),
 * and if it fails the spans still carry the same id and group into one session at ingest.
 */
import { randomUUID } from 'node:crypto';
import { type Context, createContextKey, propagation } from '@opentelemetry/api';
import type { TracerConfig } from '../core/config';
import { postJson, sendHttp } from '../integration/http';
import type { JsonValue } from './json-safe';

/** The baggage entry the normalizer reads as a session id (docs/normalization.md). */
export const SESSION_BAGGAGE_KEY = 'session_id';

/** The tracer's settings a session call needs, and how it reports. */
export interface SessionSettings
  extends Pick<TracerConfig, 'apiKey' | 'project' | 'source' | 'serverUrl' | 'sessionName' | 'sessionId'> {
  /** Deadline for one session call; session calls never block spans. */
  timeoutMs: number;
  warn: (message: string) => void;
}

export interface StartSessionOptions {
  sessionName?: string;
  sessionId?: string;
  inputs?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  userProperties?: Record<string, unknown>;
}

/** The fields `PUT /events` merges into the stored session event. */
export interface SessionUpdate {
  metadata?: JsonValue;
  metrics?: JsonValue;
  feedback?: JsonValue;
  outputs?: JsonValue;
  config?: JsonValue;
  user_properties?: JsonValue;
  /** The session's error (evaluate(): the function or an evaluator threw). */
  error?: string;
}

export class SessionManager {
  /** Per tracer, so one tracer's session never leaks onto another tracer's spans. */
  readonly contextKey = createContextKey(`waggle.session.${randomUUID()}`);
  private currentId: string | undefined;
  private readonly started = new Map<string, Promise<boolean>>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly settings: SessionSettings) {
    // An explicit id continues a session that already exists on the data plane: never re-started.
    if (settings.sessionId !== undefined) {
      this.currentId = settings.sessionId;
      this.started.set(settings.sessionId, Promise.resolve(true));
    }
  }

  /** The session of a span started in `ctx`: the context's own, else the tracer's (started lazily). */
  sessionFor(ctx: Context): string {
    const fromContext = ctx.getValue(this.contextKey);
    if (typeof fromContext === 'string') return fromContext;
    if (this.currentId === undefined) {
      this.currentId = randomUUID();
      this.begin(this.currentId, {});
    }
    return this.currentId;
  }

  /** What sessionFor(ctx) would return, without starting a session: undefined when it would start one. */
  knownSessionFor(ctx: Context): string | undefined {
    const fromContext = ctx.getValue(this.contextKey);
    return typeof fromContext === 'string' ? fromContext : this.currentId;
  }

  /** Starts a new session on the data plane and makes it the tracer's current one. */
  async startSession(options: StartSessionOptions = {}): Promise<string> {
    const id = options.sessionId ?? randomUUID();
    this.currentId = id;
    await this.begin(id, options);
    return id;
  }

  /** Continues an existing session (multi-turn apps): no start call, spans just carry the id. */
  setSession(id: string): void {
    this.currentId = id;
    if (!this.started.has(id)) this.started.set(id, Promise.resolve(true));
  }

  currentSessionId(): string | undefined {
    return this.currentId;
  }

  /** A context whose spans belong to `id`, carried in this tracer's key and in W3C baggage. */
  contextWithSession(ctx: Context, id: string): Context {
    const baggage = (propagation.getBaggage(ctx) ?? propagation.createBaggage()).setEntry(
      SESSION_BAGGAGE_KEY,
      {
        value: id,
      },
    );
    return propagation.setBaggage(ctx.setValue(this.contextKey, id), baggage);
  }

  /** Merges fields into the session event (`PUT /events`), after its start call has settled. */
  update(id: string, fields: SessionUpdate): void {
    const body = { event_id: id, ...fields };
    const run = (async () => {
      await this.started.get(id);
      const response = await sendHttp({
        url: `${this.settings.serverUrl}/events`,
        method: 'PUT',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${this.settings.apiKey}`,
        },
        body: JSON.stringify(body),
        timeoutMs: this.settings.timeoutMs,
      });
      if (response.status < 200 || response.status >= 300) {
        this.settings.warn(`session update failed with HTTP ${response.status}`);
      }
    })().catch((error: unknown) => this.settings.warn(`session update failed: ${String(error)}`));
    this.track(run);
  }

  /** Resolves once every session call made so far has settled (flush waits for these). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private begin(id: string, options: StartSessionOptions): Promise<boolean> {
    const existing = this.started.get(id);
    if (existing !== undefined) return existing;
    const session: Record<string, unknown> = {
      session_id: id,
      project: this.settings.project,
      session_name: options.sessionName ?? this.settings.sessionName,
      source: this.settings.source,
    };
    if (options.inputs !== undefined) session.inputs = options.inputs;
    if (options.metadata !== undefined) session.metadata = options.metadata;
    if (options.userProperties !== undefined) session.user_properties = options.userProperties;
    const run = postJson(
      `${this.settings.serverUrl}/session/start`,
      { session },
      { apiKey: this.settings.apiKey, timeoutMs: this.settings.timeoutMs },
    ).then(
      (result) => {
        if (!result.ok) this.settings.warn(`session start failed (${result.reason}): ${result.message}`);
        return result.ok;
      },
      (error: unknown) => {
        this.settings.warn(`session start failed: ${String(error)}`);
        return false;
      },
    );
    this.started.set(id, run);
    this.track(run);
    return run;
  }

  private track(promise: Promise<unknown>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }
}
