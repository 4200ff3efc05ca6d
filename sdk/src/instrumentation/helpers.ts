/**
 * Module-level enrich helpers: they act through the WaggleTracer whose span is active, so code deep
 * in a call stack can enrich without being handed the tracer.
 */
import { context, type Span, trace } from '@opentelemetry/api';
import type { EnrichSessionInput, EnrichSpanInput } from './enrich';

interface Enricher {
  enrichSpan(input: EnrichSpanInput, span?: Span): void;
  enrichSession(input: EnrichSessionInput): void;
}

let tracerKey: symbol | undefined;

/** @internal Set by the tracer module: which context key holds the tracer in charge. */
export function setTracerContextKey(key: symbol): void {
  tracerKey = key;
}

function activeTracer(): Enricher | undefined {
  if (tracerKey === undefined) return undefined;
  const value = context.active().getValue(tracerKey);
  return value as Enricher | undefined;
}

/** Enriches the active span through the tracer that started it; a no-op outside any traced span. */
export function enrichSpan(input: EnrichSpanInput): void {
  try {
    // One context lookup: the active span and the tracer in charge come from the same context.
    const active = context.active();
    const span = trace.getSpan(active);
    if (span === undefined || tracerKey === undefined) return;
    (active.getValue(tracerKey) as Enricher | undefined)?.enrichSpan(input, span);
  } catch {
    // Enrichment is best effort; it never reaches user code as an error.
  }
}

/** Enriches the session of the active traced span; a no-op outside any traced span. */
export function enrichSession(input: EnrichSessionInput): void {
  try {
    activeTracer()?.enrichSession(input);
  } catch {
    // As above.
  }
}
