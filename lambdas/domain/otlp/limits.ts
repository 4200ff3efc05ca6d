/**
 * How much one OTLP trace request may hold. The 32 MiB inflated-body limit alone let one request
 * carry 650,000 tiny spans (1.5 GB of memory, past the ingest function's 1,024 MB) or one span
 * with a million attributes, so the items are bounded too, and each is counted while decoding so
 * an oversized request is refused before the rest of it is materialised.
 *
 * The numbers are generous next to what exporters send and small next to the function: the
 * OpenTelemetry SDKs export at most 512 spans per request and keep 128 attributes, events and links
 * per span by default (servers must still accept raised SDK limits, hence 8x to 32x that), and the
 * Collector's batch processor sends 8,192 spans (half the span limit). A request at every limit at
 * once peaks well under half of the function's 1,024 MB and finishes in seconds, far inside API
 * Gateway's 29 s integration timeout (measured by test/unit/ingest/ingest-peak-memory.test.ts and
 * `npm run bench`; docs/ingestion.md lists them).
 */
export interface OtlpLimits {
  /** Spans in one request. */
  maxSpansPerRequest: number;
  /**
   * Attributes in one request: every key-value pair of resources, spans, span events and links, and
   * every item or entry nested in an attribute's array or map value.
   */
  maxAttributesPerRequest: number;
  /** Span events and links in one request, together. */
  maxEventsAndLinksPerRequest: number;
  /** Attributes on one span, span event, link or resource (their own, not nested entries). */
  maxAttributesPerSpan: number;
  maxEventsPerSpan: number;
  maxLinksPerSpan: number;
  /**
   * JSON values (objects, arrays and each comma-separated member or item) in an OTLP/JSON body,
   * counted before parsing: JSON.parse materialises everything at once, so this bounds its memory
   * (about 110 bytes per value for a body of empty objects). Every request within the limits above
   * with ordinary attribute values stays under it.
   */
  maxJsonValues: number;
}

export const DEFAULT_OTLP_LIMITS: Readonly<OtlpLimits> = {
  maxSpansPerRequest: 16_384,
  maxAttributesPerRequest: 262_144,
  maxEventsAndLinksPerRequest: 65_536,
  maxAttributesPerSpan: 4_096,
  maxEventsPerSpan: 1_024,
  maxLinksPerSpan: 1_024,
  maxJsonValues: 2_097_152,
};

/** A request over one of the OtlpLimits (answered with 413, nothing stored). */
export class OtlpLimitError extends Error {
  override readonly name = 'OtlpLimitError';

  constructor(
    readonly limit: keyof OtlpLimits,
    message: string,
  ) {
    super(message);
  }
}

/** The refusal for a request over `limit`, naming the limit and its value; `what` says what was counted. */
export function limitExceeded(limit: keyof OtlpLimits, limits: OtlpLimits, what: string): OtlpLimitError {
  const max = limits[limit].toLocaleString('en-US');
  return new OtlpLimitError(limit, `OTLP request exceeds ${limit} (${max}): more than ${max} ${what}`);
}
