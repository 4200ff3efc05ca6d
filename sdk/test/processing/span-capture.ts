import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * A span processor that pushes every span that ends onto `ended` and does nothing else: real ended
 * spans for the SDK's tests and for the exporter benchmark (bench/sdk/), which imports it (so no vitest here).
 */
export function collectEndedSpans(ended: ReadableSpan[]): SpanProcessor {
  return {
    onStart: () => {},
    onEnd: (span) => ended.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}
