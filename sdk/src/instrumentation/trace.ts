/**
 * `trace(fn)`: one span per call of a sync, async, generator or async-generator function. The
 * function's result, its promise, its generator and its exceptions reach the caller unchanged;
 * a failure inside the SDK falls back to calling the function untraced.
 */
import { type Context, context, type Span } from '@opentelemetry/api';
import { type EventType, resolveEventType } from '../utils/event-types';
import type { Encoder } from './encoder';
import { argumentsByName, parameterNames } from './params';
import { endWithError, endWithResult } from './span-end';

export interface TraceOptions {
  /** Span and event name; the function's name by default. */
  name?: string;
  /** model, tool, chain or session; inferred from the name when absent. */
  eventType?: EventType;
  /** Extra `honeyhive_metadata.*` / `honeyhive_config.*` set on every span of this function. */
  metadata?: Record<string, unknown>;
  config?: Record<string, unknown>;
  captureInputs?: boolean;
  captureOutputs?: boolean;
}

/** What a wrapper needs from its tracer. */
export interface SpanHost {
  readonly enabled: boolean;
  readonly captureInputs: boolean;
  readonly captureOutputs: boolean;
  readonly encoder: Encoder;
  begin(name: string, eventType: EventType, parent: Context): { span: Span; ctx: Context };
  reportError(error: unknown): void;
}

/** Items of a streamed result kept for the span's outputs; the stream itself is never limited. */
const MAX_STREAM_ITEMS = 1_000;

type AnyFunction = (this: unknown, ...args: never[]) => unknown;

function kindOf(fn: AnyFunction): 'generator' | 'async-generator' | 'plain' {
  const tag = Object.prototype.toString.call(fn);
  if (tag === '[object GeneratorFunction]') return 'generator';
  if (tag === '[object AsyncGeneratorFunction]') return 'async-generator';
  return 'plain';
}

/**
 * Only native promises are observed: calling `then` on any other thenable can run user code (a
 * lazy query builder executes on `then`) or throw, and a revoked Proxy throws on mere inspection.
 */
function isNativePromise(value: unknown): value is Promise<unknown> {
  try {
    return value instanceof Promise;
  } catch {
    return false;
  }
}

/** Streamed items as one output: text chunks joined, anything else as a list. */
function streamOutput(items: unknown[], returned: unknown): unknown {
  const joined = items.length > 0 && items.every((i) => typeof i === 'string') ? items.join('') : items;
  return returned === undefined ? joined : { items: joined, returned };
}

export function wrapFunction<F extends AnyFunction>(host: SpanHost, fn: F, options: TraceOptions = {}): F {
  const name = options.name ?? (fn.name || 'anonymous');
  const eventType = resolveEventType(name, options.eventType);
  const names = parameterNames(fn);
  const kind = kindOf(fn);
  const captureIn = options.captureInputs ?? host.captureInputs;
  const captureOut = options.captureOutputs ?? host.captureOutputs;

  const start = (args: unknown[]): { span: Span; ctx: Context } | undefined => {
    try {
      const started = host.begin(name, eventType, context.active());
      const { span } = started;
      if (captureIn) span.setAttributes(host.encoder.section('inputs', argumentsByName(names, args)));
      if (options.metadata) span.setAttributes(host.encoder.section('metadata', options.metadata));
      if (options.config) span.setAttributes(host.encoder.section('config', options.config));
      return started;
    } catch (error) {
      host.reportError(error);
      return undefined;
    }
  };
  const safe = (work: () => void): void => {
    try {
      work();
    } catch (error) {
      host.reportError(error);
    }
  };

  const target = fn as unknown as (...a: unknown[]) => unknown;
  // No closure per call: this runs for every traced call.
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    if (!host.enabled) return target.apply(this, args);
    const started = start(args);
    if (started === undefined) return target.apply(this, args);
    const { span, ctx } = started;
    let result: unknown;
    try {
      result = context.with(ctx, target, this, ...args);
    } catch (error) {
      safe(() => endWithError(span, error));
      throw error;
    }
    if (kind === 'generator') return traceGenerator(result as Generator, span, ctx, host, captureOut, safe);
    if (kind === 'async-generator') {
      return traceAsyncGenerator(result as AsyncGenerator, span, ctx, host, captureOut, safe);
    }
    if (isNativePromise(result)) {
      // Observe the promise without replacing it: the caller keeps the very same object.
      safe(() =>
        Promise.prototype.then.call(
          result,
          (value) => safe(() => endWithResult(span, host.encoder, captureOut, value)),
          (error: unknown) => safe(() => endWithError(span, error)),
        ),
      );
      return result;
    }
    try {
      endWithResult(span, host.encoder, captureOut, result);
    } catch (error) {
      host.reportError(error);
    }
    return result;
  };
  safeDefine(wrapped, 'name', name);
  safeDefine(wrapped, 'length', fn.length);
  return wrapped as unknown as F;
}

function safeDefine(target: object, key: string, value: unknown): void {
  try {
    Object.defineProperty(target, key, { value, configurable: true });
  } catch {
    // Cosmetic only.
  }
}

/**
 * The span of one traced stream, shared by the sync and async wrappers: ended once, with the error
 * of the first step that throws, or when the stream is done with what it yielded (up to
 * MAX_STREAM_ITEMS items) and its return value.
 */
function streamSpan(span: Span, host: SpanHost, capture: boolean, safe: (work: () => void) => void) {
  const items: unknown[] = [];
  let open = true;
  return {
    failed(error: unknown): void {
      if (open) safe(() => endWithError(span, error));
      open = false;
    },
    stepped(r: IteratorResult<unknown>): void {
      if (!open) return;
      if (r.done) {
        open = false;
        safe(() => endWithResult(span, host.encoder, capture, streamOutput(items, r.value)));
      } else if (items.length < MAX_STREAM_ITEMS) items.push(r.value);
    },
  };
}

function traceGenerator(
  gen: Generator,
  span: Span,
  ctx: Context,
  host: SpanHost,
  capture: boolean,
  safe: (work: () => void) => void,
): Generator {
  const stream = streamSpan(span, host, capture, safe);
  const step = (op: () => IteratorResult<unknown>): IteratorResult<unknown> => {
    let r: IteratorResult<unknown>;
    try {
      r = context.with(ctx, op);
    } catch (error) {
      stream.failed(error);
      throw error;
    }
    stream.stepped(r);
    return r;
  };
  const wrapper: Generator = {
    next: (...a: [] | [unknown]) => step(() => gen.next(...a)),
    return: (value: unknown) => step(() => gen.return(value)),
    throw: (error: unknown) => step(() => gen.throw(error)),
    [Symbol.iterator]() {
      return wrapper;
    },
  } as unknown as Generator;
  return wrapper;
}

function traceAsyncGenerator(
  gen: AsyncGenerator,
  span: Span,
  ctx: Context,
  host: SpanHost,
  capture: boolean,
  safe: (work: () => void) => void,
): AsyncGenerator {
  const stream = streamSpan(span, host, capture, safe);
  const step = async (op: () => Promise<IteratorResult<unknown>>): Promise<IteratorResult<unknown>> => {
    let r: IteratorResult<unknown>;
    try {
      r = await context.with(ctx, op);
    } catch (error) {
      stream.failed(error);
      throw error;
    }
    stream.stepped(r);
    return r;
  };
  const wrapper: AsyncGenerator = {
    next: (...a: [] | [unknown]) => step(() => gen.next(...a)),
    return: (value: unknown) => step(() => gen.return(value)),
    throw: (error: unknown) => step(() => gen.throw(error)),
    [Symbol.asyncIterator]() {
      return wrapper;
    },
  } as unknown as AsyncGenerator;
  return wrapper;
}
