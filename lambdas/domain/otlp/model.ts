/**
 * The decoded form of an OTLP ExportTraceServiceRequest, shared by the protobuf and JSON decoders.
 * It is deliberately plain: ids as lowercase hex, times as epoch milliseconds (fractional, so
 * sub-millisecond durations survive), attributes flattened to a record.
 */

/** An OTLP AnyValue after decoding. int64 becomes a number when it is a safe integer, else a decimal string; bytes become base64. */
export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue };

export type Attributes = Record<string, AttributeValue>;

export interface OtlpSpanEvent {
  name: string;
  timeUnixMs: number;
  attributes: Attributes;
}

export interface OtlpSpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

/** opentelemetry-proto trace.proto's Span.SpanKind values by name (JSON may send either). */
export const SPAN_KINDS: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
/** opentelemetry-proto trace.proto's Status.StatusCode values by name. */
export const STATUS_CODES: Readonly<Record<string, number>> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

export interface OtlpSpan {
  /** Lowercase hex. Length is NOT validated by the decoder: the validator rejects wrong lengths per span. */
  traceId: string;
  spanId: string;
  /** Empty string when the span is a root. */
  parentSpanId: string;
  traceState: string;
  name: string;
  /** SpanKind enum value (0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer). */
  kind: number;
  startTimeUnixMs: number;
  endTimeUnixMs: number;
  attributes: Attributes;
  events: OtlpSpanEvent[];
  links: OtlpSpanLink[];
  /** StatusCode enum (0 unset, 1 ok, 2 error). */
  statusCode: number;
  statusMessage: string;
}

/**
 * A span with every field at its protobuf default (what a decoder fills in), its properties in model
 * order so every span built from it shares one object shape.
 */
export function emptySpan(): OtlpSpan {
  return {
    traceId: '',
    spanId: '',
    parentSpanId: '',
    traceState: '',
    name: '',
    kind: 0,
    startTimeUnixMs: 0,
    endTimeUnixMs: 0,
    attributes: {},
    events: [],
    links: [],
    statusCode: 0,
    statusMessage: '',
  };
}

export interface OtlpScopeSpans {
  scopeName: string;
  scopeVersion: string;
  spans: OtlpSpan[];
}

export interface OtlpResourceSpans {
  resourceAttributes: Attributes;
  scopeSpans: OtlpScopeSpans[];
}

export interface OtlpTraceRequest {
  resourceSpans: OtlpResourceSpans[];
}

/** Raised for a body that is not a valid ExportTraceServiceRequest (answered with 400). */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}
