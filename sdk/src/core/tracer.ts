/**
 * WaggleTracer: one independent tracing pipeline (provider, export pipeline, session, settings).
 * Instances share nothing mutable, so a process can hold one per tenant, per environment or per
 * workflow. Every public method is an error boundary: SDK failures cost telemetry, never the
 * host application's result.
 */
import {
  type Context,
  context,
  createContextKey,
  INVALID_SPAN_CONTEXT,
  type Span,
  type SpanOptions,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { createEncoder, type Encoder } from '../instrumentation/encoder';
import {
  type EnrichSessionInput,
  type EnrichSpanInput,
  enrichmentAttributes,
  sessionUpdate,
} from '../instrumentation/enrich';
import { setTracerContextKey } from '../instrumentation/helpers';
import { type SpanHost, type TraceOptions, wrapFunction } from '../instrumentation/trace';
import { type InstrumentationLike, registerWithProvider } from '../integration/instrumentations';
import { attachProcessor, detachProcessor, findExistingProvider } from '../integration/provider-detection';
import { createRateLimitedWarner } from '../integration/safe';
import { wrapLambdaHandler } from '../lifecycle/lambda';
import { flushWithTimeout, shutdownWithTimeout } from '../lifecycle/timeouts';
import { createExportPipeline } from '../processing/export-pipeline';
import { createRateLimitedLogger } from '../processing/rate-limited-logger';
import { type EventType, resolveEventType } from '../utils/event-types';
import { type Carrier, type ContextPropagation, createPropagation } from '../utils/propagation';
import { createRedactor } from '../utils/redaction';
import { SessionManager, type StartSessionOptions } from '../utils/sessions';
import { resolveConfig, type TracerConfig, type TracerOptions, type WaggleLogger } from './config';
import { ensureContextManager } from './context-manager';
import { createDebugLog, type DebugLog, safeLogger } from './logger';
import { tracerResource } from './resource';
import { SessionSpanProcessor } from './session-processor';
import { SDK_NAME, SDK_VERSION } from './version';

/** Marks contexts created by a WaggleTracer, so module-level helpers find the tracer in charge. */
const TRACER_CONTEXT_KEY = createContextKey('waggle.tracer');
setTracerContextKey(TRACER_CONTEXT_KEY);

export interface StartSpanOptions extends SpanOptions {
  eventType?: EventType;
  /** Parent context; the active one by default. */
  parent?: Context;
}

interface Live {
  config: TracerConfig;
  otelTracer: Tracer;
  processor: SpanProcessor;
  provider: TracerProvider | undefined;
  /** The application's provider our processor was added to (useExistingProvider); detached on shutdown. */
  attachedTo: unknown;
  sessions: SessionManager;
  propagation: ContextPropagation;
  /** Project, source and session name stamped on every span; set only with our own provider. */
  stamp: { project: string; source: string; sessionName: string } | undefined;
}

const NOOP_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
const NO_SPAN_OPTIONS: SpanOptions = Object.freeze({});

export class WaggleTracer implements SpanHost {
  readonly encoder: Encoder;
  readonly captureInputs: boolean;
  readonly captureOutputs: boolean;
  private readonly live: Live | undefined;
  private readonly warn: (error: unknown) => void;
  private readonly debug: DebugLog;
  private readonly contextManager: boolean;
  private shutdownPromise: Promise<void> | undefined;
  private lastParent: Context | undefined;
  private lastParentWithTracer: Context | undefined;

  constructor(options: TracerOptions = {}) {
    const resolved = safeResolve(options);
    const logger = safeLogger(resolved.ok ? resolved.config.logger : loggerOption(options));
    this.debug = createDebugLog(logger, resolved.ok && resolved.config.verbose);
    const warnOnce = createRateLimitedWarner({ log: (line) => logger.warn(line), intervalMs: 10_000 });
    this.warn = (error) => {
      warnOnce(error);
      this.debug('sdk-error', `SDK error detail: ${errorDetail(error)}`);
    };
    this.contextManager = resolved.ok && resolved.config.contextManager;
    let live: Live | undefined;
    if (!resolved.ok) {
      logger.warn(`[waggle] tracer disabled, invalid configuration: ${resolved.problems.join('; ')}`);
    } else if (!resolved.config.disabled) {
      try {
        live = this.build(resolved.config, logger);
      } catch (error) {
        logger.warn(`[waggle] tracer disabled, start-up failed: ${String(error)}`);
      }
    }
    this.live = live;
    if (live !== undefined) {
      const c = live.config;
      const via = live.provider ? 'own provider' : 'application provider';
      this.debug('start', `tracer started: project ${c.project}, ${c.serverUrl}, ${c.protocol}, ${via}`);
    }
    const config = resolved.ok ? resolved.config : undefined;
    this.encoder = createEncoder({ redact: redactorFor(config) });
    this.captureInputs = config?.captureInputs ?? true;
    this.captureOutputs = config?.captureOutputs ?? true;
  }

  /** False when disabled (by option or invalid config): every method still works, without telemetry. */
  get enabled(): boolean {
    return this.live !== undefined && this.shutdownPromise === undefined;
  }

  /** The resolved configuration, or undefined when the tracer is disabled. */
  get config(): Readonly<TracerConfig> | undefined {
    return this.live?.config;
  }

  /** Wraps a function (sync, async, generator, async generator): one span per call. */
  trace<F extends (...args: never[]) => unknown>(fn: F, options: TraceOptions = {}): F {
    try {
      return wrapFunction(this, fn as never, options) as unknown as F;
    } catch (error) {
      this.warn(error);
      return fn;
    }
  }

  /** Standard (TS 5+) method decorator: `@tracer.traceMethod({ eventType: 'tool' })`. */
  traceMethod(options: TraceOptions = {}) {
    return <This, Args extends unknown[], Return>(
      method: (this: This, ...args: Args) => Return,
      decorator: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
    ): ((this: This, ...args: Args) => Return) => {
      const name = options.name ?? String(decorator.name);
      return this.trace(method as never, { ...options, name }) as unknown as (
        this: This,
        ...args: Args
      ) => Return;
    };
  }

  /** A span you end yourself; session, project and event type are set. */
  startSpan(name: string, options: StartSpanOptions = {}): Span {
    if (!this.enabled) return NOOP_SPAN;
    try {
      const { eventType, parent, ...spanOptions } = options;
      return this.begin(name, resolveEventType(name, eventType), parent ?? context.active(), spanOptions)
        .span;
    } catch (error) {
      this.warn(error);
      return NOOP_SPAN;
    }
  }

  /** Runs fn with a new active span (OpenTelemetry semantics: fn ends the span). */
  startActiveSpan<T>(name: string, fn: (span: Span) => T): T;
  startActiveSpan<T>(name: string, options: StartSpanOptions, fn: (span: Span) => T): T;
  startActiveSpan<T>(name: string, a: StartSpanOptions | ((span: Span) => T), b?: (span: Span) => T): T {
    const fn = (typeof a === 'function' ? a : b) as (span: Span) => T;
    const options = typeof a === 'function' ? {} : a;
    let started: { span: Span; ctx: Context } | undefined;
    if (this.enabled) {
      try {
        const { eventType, parent, ...spanOptions } = options;
        started = this.begin(
          name,
          resolveEventType(name, eventType),
          parent ?? context.active(),
          spanOptions,
        );
      } catch (error) {
        this.warn(error);
      }
    }
    if (started === undefined) return fn(NOOP_SPAN);
    const { span, ctx } = started;
    return context.with(ctx, () => fn(span));
  }

  /** Adds metadata, metrics, feedback, inputs, outputs, config, user properties or an error to a span. */
  enrichSpan(input: EnrichSpanInput, span: Span | undefined = trace.getActiveSpan()): void {
    if (span === undefined) return;
    try {
      span.setAttributes(enrichmentAttributes(this.encoder, input));
    } catch (error) {
      this.warn(error);
    }
  }

  /** Merges fields into the current session's event on the data plane (in the background). */
  enrichSession(input: EnrichSessionInput, sessionId?: string): void {
    const live = this.live;
    if (live === undefined) return;
    try {
      live.sessions.update(
        sessionId ?? live.sessions.sessionFor(context.active()),
        sessionUpdate(this.encoder, input),
      );
    } catch (error) {
      this.warn(error);
    }
  }

  /** Starts a new session on the data plane; later spans belong to it. Resolves with its id, never rejects. */
  async startSession(options: StartSessionOptions = {}): Promise<string | undefined> {
    try {
      return await this.live?.sessions.startSession(options);
    } catch (error) {
      this.warn(error);
      return undefined;
    }
  }

  /** Continues an existing session (multi-turn apps): later spans of this tracer carry this id. */
  setSession(sessionId: string): void {
    this.live?.sessions.setSession(sessionId);
  }

  /** The session id spans started now would carry (starting the session lazily if needed). */
  getSessionId(): string | undefined {
    try {
      return this.live?.sessions.sessionFor(context.active());
    } catch (error) {
      this.warn(error);
      return undefined;
    }
  }

  /** Runs fn with spans (of this tracer) in the given session, carried in context and baggage. */
  withSession<T>(sessionId: string, fn: () => T): T {
    const live = this.live;
    if (live === undefined) return fn();
    let ctx: Context;
    try {
      this.useAsyncContext();
      ctx = live.sessions.contextWithSession(context.active(), sessionId);
    } catch (error) {
      this.warn(error);
      return fn();
    }
    return context.with(ctx, fn);
  }

  /** Writes traceparent and baggage (with this tracer's session) into an outgoing carrier. */
  injectContext<T extends Carrier>(carrier: T, ctx?: Context): T {
    try {
      return this.live ? this.live.propagation.injectContext(carrier, ctx) : carrier;
    } catch (error) {
      this.warn(error);
      return carrier;
    }
  }

  /** Reads an incoming carrier; run work in the returned context to continue the caller's trace and session. */
  extractContext(carrier: Carrier, ctx: Context = context.active()): Context {
    try {
      if (this.live === undefined) return ctx;
      // The caller runs work in the returned context with context.with: that needs a manager.
      this.useAsyncContext();
      return this.live.propagation.extractContext(carrier, ctx);
    } catch (error) {
      this.warn(error);
      return ctx;
    }
  }

  /** Exports what is queued; resolves true when done within the timeout, never rejects. */
  async flush(timeoutMs?: number): Promise<boolean> {
    const live = this.live;
    if (live === undefined) return true;
    const budget = timeoutMs ?? live.config.flushTimeoutMs;
    const release = holdProcess(budget);
    try {
      const started = Date.now();
      await Promise.race([live.sessions.settle(), delay(budget)]);
      return await flushWithTimeout(live.processor, Math.max(1, budget - (Date.now() - started)));
    } catch (error) {
      this.warn(error);
      return false;
    } finally {
      release();
    }
  }

  /** Flushes and stops this tracer; later calls return the same promise. Never rejects. */
  shutdown(timeoutMs?: number): Promise<void> {
    this.shutdownPromise ??= this.stop(timeoutMs);
    return this.shutdownPromise;
  }

  /** Wraps an AWS Lambda handler so this tracer flushes before each invocation returns. */
  wrapLambda<H extends (...args: never[]) => unknown>(handler: H): H {
    try {
      return wrapLambdaHandler(handler as never, {
        flush: () => this.flush(),
        flushBudgetMs: this.live?.config.lambdaFlushBudgetMs ?? 2_000,
      }) as unknown as H;
    } catch (error) {
      this.warn(error);
      return handler;
    }
  }

  /**
   * Sends third-party instrumentations' spans (OpenInference, OpenLLMetry, OpenTelemetry's own) to
   * this tracer: its own provider, or the application's when attached with useExistingProvider.
   * Never throws; a disabled tracer leaves the instrumentations untouched.
   */
  registerInstrumentations(instrumentations: InstrumentationLike[]): void {
    const live = this.live;
    if (live === undefined || !this.enabled) return;
    try {
      registerWithProvider(live.provider ?? trace.getTracerProvider(), instrumentations, (error) =>
        this.warn(error),
      );
    } catch (error) {
      this.warn(error);
    }
  }

  /** @internal SpanHost: starts a span carrying its event type and name. */
  begin(
    name: string,
    eventType: EventType,
    parent: Context,
    options: SpanOptions = NO_SPAN_OPTIONS,
  ): { span: Span; ctx: Context } {
    const live = this.live;
    if (live === undefined) return { span: NOOP_SPAN, ctx: parent };
    this.useAsyncContext();
    // Traced calls pass no options: skip the spreads on that path (the same span options result).
    // On our own provider they also carry the session stamp the SessionSpanProcessor would add in
    // onStart (same values, same order; the processor then finds them and skips its setAttribute calls).
    // Only once the session is known: sessionFor may start one, which the processor does only for
    // spans that are sampled (onStart), so the first span still leaves that to the processor.
    const stamp = live.stamp;
    const sessionId = stamp === undefined ? undefined : live.sessions.knownSessionFor(parent);
    const spanOptions: SpanOptions =
      options === NO_SPAN_OPTIONS
        ? stamp === undefined || sessionId === undefined
          ? { attributes: { honeyhive_event_type: eventType, honeyhive_event_name: name } }
          : {
              attributes: {
                honeyhive_event_type: eventType,
                honeyhive_event_name: name,
                honeyhive_session_id: sessionId,
                honeyhive_project: stamp.project,
                honeyhive_source: stamp.source,
                honeyhive_session_name: stamp.sessionName,
              },
            }
        : {
            ...options,
            attributes: {
              ...options.attributes,
              honeyhive_event_type: eventType,
              honeyhive_event_name: name,
            },
          };
    const span = live.otelTracer.startSpan(name, spanOptions, parent);
    return { span, ctx: trace.setSpan(this.withTracerKey(parent), span) };
  }

  /**
   * `parent` with this tracer under TRACER_CONTEXT_KEY: parent itself when it already has it (nested
   * calls), else one context per distinct parent, remembered for the last parent (root calls share it).
   */
  private withTracerKey(parent: Context): Context {
    if (parent.getValue(TRACER_CONTEXT_KEY) === this) return parent;
    if (parent !== this.lastParent) {
      this.lastParentWithTracer = parent.setValue(TRACER_CONTEXT_KEY, this);
      this.lastParent = parent;
    }
    return this.lastParentWithTracer as Context;
  }

  /** @internal SpanHost: logs an SDK failure at a bounded rate. */
  reportError(error: unknown): void {
    this.warn(error);
  }

  /** Installs the async context manager on first use (see context-manager.ts), unless opted out. */
  private useAsyncContext(): void {
    if (this.contextManager && ensureContextManager()) {
      this.debug('context', 'registered an AsyncLocalStorage context manager (none was registered)');
    }
  }

  private async stop(timeoutMs?: number): Promise<void> {
    const live = this.live;
    if (live === undefined) return;
    const budget = timeoutMs ?? live.config.shutdownTimeoutMs;
    // Leave the application's provider as we found it: its spans stop reaching this tracer now.
    if (live.attachedTo !== undefined) detachProcessor(live.attachedTo, live.processor);
    const release = holdProcess(2 * budget);
    try {
      await Promise.race([live.sessions.settle(), delay(budget)]);
      await shutdownWithTimeout(live.provider ?? live.processor, budget);
    } catch (error) {
      this.warn(error);
    } finally {
      release();
    }
    this.debug('shutdown', 'tracer shut down');
  }

  private build(config: TracerConfig, logger: WaggleLogger): Live {
    const warn = (message: string) => this.warn(message);
    const sessions = new SessionManager({
      apiKey: config.apiKey,
      project: config.project,
      source: config.source,
      serverUrl: config.serverUrl,
      sessionName: config.sessionName,
      sessionId: config.sessionId,
      timeoutMs: config.exportTimeoutMs ?? 10_000,
      warn,
    });
    const exporter =
      config.spanProcessor ??
      createExportPipeline({
        url: `${config.serverUrl}/v1/traces`,
        apiKey: config.apiKey,
        protocol: config.protocol,
        compression: config.compression,
        profile: config.profile,
        maxQueueSize: config.maxQueueSize,
        maxExportBatchSize: config.maxExportBatchSize,
        scheduledDelayMs: config.scheduledDelayMs,
        exportTimeoutMs: config.exportTimeoutMs,
        logger: createRateLimitedLogger({ intervalMs: 60_000, sink: (line) => logger.warn(line) }),
      });
    const processor = new SessionSpanProcessor(
      {
        sessionFor: (ctx) => sessions.sessionFor(ctx),
        project: config.project,
        source: config.source,
        sessionName: config.sessionName,
      },
      exporter,
      (error) => this.warn(error),
    );
    const propagation = createPropagation(sessions);
    if (config.useExistingProvider) {
      const existing = findExistingProvider();
      if (existing.canAddProcessor && attachProcessor(existing.provider, processor)) {
        const otelTracer = trace.getTracer(SDK_NAME, SDK_VERSION);
        const attachedTo = existing.provider;
        return {
          config,
          otelTracer,
          processor,
          provider: undefined,
          attachedTo,
          sessions,
          propagation,
          stamp: undefined,
        };
      }
      this.debug('provider', `no application provider to attach to (${existing.kind}); using an own one`);
    }
    const provider = new TracerProvider({
      resource: tracerResource(config.serviceName, SDK_NAME, SDK_VERSION),
      spanProcessors: [processor],
    });
    if (config.registerGlobal && !trace.setGlobalTracerProvider(provider)) {
      logger.warn('[waggle] a global tracer provider is already registered; registerGlobal ignored');
    }
    const otelTracer = provider.getTracer(SDK_NAME, SDK_VERSION);
    const stamp = { project: config.project, source: config.source, sessionName: config.sessionName };
    return { config, otelTracer, processor, provider, attachedTo: undefined, sessions, propagation, stamp };
  }
}

function safeResolve(options: TracerOptions): ReturnType<typeof resolveConfig> {
  try {
    return resolveConfig(options ?? {});
  } catch (error) {
    return { ok: false, problems: [`configuration could not be read: ${String(error)}`] };
  }
}

/** The logger option even from options too broken to resolve (a throwing getter gives the console). */
function loggerOption(options: TracerOptions): unknown {
  try {
    return options?.logger;
  } catch {
    return undefined;
  }
}

function errorDetail(error: unknown): string {
  try {
    return error instanceof Error ? (error.stack ?? String(error)) : String(error);
  } catch {
    return 'unprintable error';
  }
}

function redactorFor(config: TracerConfig | undefined): ((value: unknown) => unknown) | undefined {
  const option = config?.redact ?? true;
  if (option === false) return undefined;
  if (typeof option === 'function') return option;
  return createRedactor();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Keeps the process alive, at most `ms`, while a caller awaits flush or shutdown; the returned
 * function lets go. The SDK's own timers (batching, retry backoff, request and flush time limits)
 * are unref'd so that pending telemetry never holds a finished process open, but with nothing else
 * holding the event loop (an unreachable endpoint between two retries) Node would then exit in the
 * middle of an awaited flush: `await tracer.flush()` would never return and the caller's remaining
 * code would silently not run (exit code 13 under an ES module's top-level await).
 */
const HOLD_MARGIN_MS = 5_000;

function holdProcess(ms: number): () => void {
  // The SDK's own (unref'd) time limits are armed after this hold, so their deadlines can land a
  // millisecond or more after `ms`; a hold that ended first would let Node exit mid-await under
  // load. The margin never delays an exit: the caller releases the hold as soon as it returns.
  const held = ms + HOLD_MARGIN_MS;
  const bounded = Number.isFinite(held) ? Math.min(Math.max(0, held), 2_147_483_647) : 0;
  const timer = setTimeout(() => {}, bounded);
  return () => clearTimeout(timer);
}
