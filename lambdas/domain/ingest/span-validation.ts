import type { OtlpSpan } from '../otlp/model';

const TRACE_ID_HEX = 32;
const SPAN_ID_HEX = 16;
const ALL_ZERO = /^0+$/;

/**
 * Why a span cannot be accepted, or undefined when it can. The OTLP spec makes all-zero and
 * wrong-length ids invalid; such a span cannot be linked to its trace, so it is counted as
 * rejected in `partial_success` (its bytes stay in the raw archive).
 */
export function spanRejectionReason(span: OtlpSpan): string | undefined {
  if (span.traceId.length !== TRACE_ID_HEX || ALL_ZERO.test(span.traceId)) {
    return `span "${clip(span.name)}": trace_id must be 16 non-zero bytes (got ${span.traceId.length / 2})`;
  }
  if (span.spanId.length !== SPAN_ID_HEX || ALL_ZERO.test(span.spanId)) {
    return `span "${clip(span.name)}": span_id must be 8 non-zero bytes (got ${span.spanId.length / 2})`;
  }
  if (span.parentSpanId.length !== 0 && span.parentSpanId.length !== SPAN_ID_HEX) {
    return `span "${clip(span.name)}": parent_span_id must be empty or 8 bytes (got ${span.parentSpanId.length / 2})`;
  }
  return undefined;
}

function clip(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name;
}
