/**
 * ExportTraceServiceResponse, in the encoding of the request. Per the OTLP spec a fully accepted request
 * gets an empty response (no partial_success); a partial_success carries the number of rejected spans and
 * why, or a warning alone with zero rejected spans.
 */
import { Buffer } from 'node:buffer';

interface TracePartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

const PARTIAL_SUCCESS_TAG = (1 << 3) | 2;
const REJECTED_SPANS_TAG = (1 << 3) | 0;
const ERROR_MESSAGE_TAG = (2 << 3) | 2;

export function encodeTraceResponseProtobuf(partial?: TracePartialSuccess): Uint8Array {
  if (!hasContent(partial)) return new Uint8Array(0);
  const inner: number[] = [];
  if (partial.rejectedSpans > 0) {
    inner.push(REJECTED_SPANS_TAG);
    pushVarint(inner, partial.rejectedSpans);
  }
  if (partial.errorMessage !== '') {
    const message = Buffer.from(partial.errorMessage, 'utf8');
    inner.push(ERROR_MESSAGE_TAG);
    pushVarint(inner, message.length);
    for (const byte of message) inner.push(byte);
  }
  const outer: number[] = [PARTIAL_SUCCESS_TAG];
  pushVarint(outer, inner.length);
  return Uint8Array.from([...outer, ...inner]);
}

/** OTLP/JSON form; int64 rejectedSpans is a decimal string, as the protobuf JSON mapping writes 64-bit integers. */
export function encodeTraceResponseJson(partial?: TracePartialSuccess): string {
  if (!hasContent(partial)) return '{}';
  const partialSuccess: { rejectedSpans?: string; errorMessage?: string } = {};
  if (partial.rejectedSpans > 0) partialSuccess.rejectedSpans = String(partial.rejectedSpans);
  if (partial.errorMessage !== '') partialSuccess.errorMessage = partial.errorMessage;
  return JSON.stringify({ partialSuccess });
}

function hasContent(partial: TracePartialSuccess | undefined): partial is TracePartialSuccess {
  if (partial === undefined) return false;
  if (!Number.isSafeInteger(partial.rejectedSpans) || partial.rejectedSpans < 0) {
    throw new RangeError(`rejectedSpans must be a non-negative integer, got ${partial.rejectedSpans}`);
  }
  if (typeof partial.errorMessage !== 'string') throw new TypeError('errorMessage must be a string');
  return partial.rejectedSpans > 0 || partial.errorMessage !== '';
}

/** Appends a non-negative safe integer as a varint (division, not bit operators, to go past 32 bits). */
function pushVarint(out: number[], value: number): void {
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}
