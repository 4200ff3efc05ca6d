/** The smallest OTLP/JSON trace requests ingest accepts, for the end-to-end tests that only need some spans stored. */
import { randomBytes } from 'node:crypto';

/**
 * An OTLP/JSON trace request (as an object, for JSON.stringify): one span per name, with random
 * ids, that ended now after a millisecond. With `service`, the spans have a resource with that
 * service.name and the instrumentation scope 'e2e'; without, neither.
 */
export function minimalTraceRequest(names: readonly string[], service?: string) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = names.map((name) => ({
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    name,
    kind: 1,
    startTimeUnixNano: String(now - 1_000_000n),
    endTimeUnixNano: String(now),
  }));
  if (service === undefined) return { resourceSpans: [{ scopeSpans: [{ spans }] }] };
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: 'e2e' }, spans }],
      },
    ],
  };
}
