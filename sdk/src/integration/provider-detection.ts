/**
 * Finds the application's own OpenTelemetry TracerProvider so the Waggle processor can be added to
 * it instead of replacing it (the app keeps its exporters, sampling and resource).
 *
 * SDK 1.x providers offer addSpanProcessor. SDK 2.x/3.x providers take processors only at
 * construction; internally they keep one MultiSpanProcessor (`_activeSpanProcessor`) whose
 * `_spanProcessors` array is read on every span, and their tracers share that same object, so
 * appending there is how a processor joins later. It is internal API: when the shape is not there,
 * canAddProcessor is false and the tracer uses its own provider; the app's spans then stay with the
 * app (they are not duplicated to Waggle).
 */
import { ProxyTracerProvider, trace } from '@opentelemetry/api';

export type ProviderKind = 'sdk' | 'proxy' | 'noop' | 'unknown';

export interface ExistingProvider {
  /** The provider behind the global proxy (or the global itself when it is not a proxy). */
  provider: unknown;
  canAddProcessor: boolean;
  /**
   * sdk: a recognised SDK provider; proxy: a proxy-like wrapper we could not see through;
   * noop: nothing registered; unknown: something registered that we do not know how to extend.
   */
  kind: ProviderKind;
}

/** Structural view of what we need from a span processor; keeps this module free of sdk-trace. */
export interface ProcessorLike {
  onStart(...args: never[]): void;
  onEnd(...args: never[]): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

interface WithAddSpanProcessor {
  addSpanProcessor(processor: unknown): void;
}

interface WithActiveProcessor {
  _activeSpanProcessor: { _spanProcessors: unknown[] };
}

// The API's NoopTracerProvider is not exported; an unset proxy hands out the singleton.
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();
const MAX_UNWRAP = 4;

function isObject(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

function isNoop(provider: unknown): boolean {
  return (
    provider === NOOP_PROVIDER || (isObject(provider) && provider.constructor?.name === 'NoopTracerProvider')
  );
}

function hasAddSpanProcessor(provider: unknown): provider is WithAddSpanProcessor {
  return isObject(provider) && typeof provider.addSpanProcessor === 'function';
}

function activeProcessorList(provider: unknown): unknown[] | undefined {
  if (!isObject(provider)) return undefined;
  const active = (provider as Partial<WithActiveProcessor>)._activeSpanProcessor;
  const list = isObject(active) ? active._spanProcessors : undefined;
  return Array.isArray(list) ? list : undefined;
}

function getDelegateOf(provider: unknown): unknown {
  if (!isObject(provider) || typeof provider.getDelegate !== 'function') return undefined;
  return (provider.getDelegate as () => unknown).call(provider);
}

/** Looks through proxies (the API's global is always one) to the provider actually registered. */
export function unwrapProvider(provider: unknown): unknown {
  let current = provider;
  for (let i = 0; i < MAX_UNWRAP; i++) {
    const delegate = getDelegateOf(current);
    if (delegate === undefined || delegate === current) return current;
    current = delegate;
  }
  return current;
}

/** Classifies a provider; exported for tests and for tracers handed a provider explicitly. */
export function inspectProvider(candidate: unknown): ExistingProvider {
  try {
    const provider = unwrapProvider(candidate);
    if (isNoop(provider)) return { provider, canAddProcessor: false, kind: 'noop' };
    if (hasAddSpanProcessor(provider) || activeProcessorList(provider)) {
      return { provider, canAddProcessor: true, kind: 'sdk' };
    }
    if (typeof getDelegateOf(provider) !== 'undefined')
      return { provider, canAddProcessor: false, kind: 'proxy' };
    return { provider, canAddProcessor: false, kind: 'unknown' };
  } catch {
    return { provider: candidate, canAddProcessor: false, kind: 'unknown' };
  }
}

/** What the application registered globally, and whether a processor can be added to it. */
export function findExistingProvider(): ExistingProvider {
  try {
    return inspectProvider(trace.getTracerProvider());
  } catch {
    return { provider: undefined, canAddProcessor: false, kind: 'unknown' };
  }
}

/** Adds processor to provider (through any proxy); false when the provider cannot take one. */
export function attachProcessor(provider: unknown, processor: ProcessorLike): boolean {
  try {
    const target = unwrapProvider(provider);
    // Prefer the internal list even on providers that also have addSpanProcessor: it lets detach work.
    const list = activeProcessorList(target);
    if (list) {
      if (!list.includes(processor)) list.push(processor);
      return true;
    }
    if (hasAddSpanProcessor(target)) {
      target.addSpanProcessor(processor);
      return true;
    }
    return false;
  } catch {
    return false;
  }
}

/** Removes a processor added by attachProcessor, so a shut-down tracer stops seeing the app's spans. */
export function detachProcessor(provider: unknown, processor: ProcessorLike): boolean {
  try {
    const list = activeProcessorList(unwrapProvider(provider));
    const index = list ? list.indexOf(processor) : -1;
    if (!list || index < 0) return false;
    list.splice(index, 1);
    return true;
  } catch {
    return false;
  }
}
