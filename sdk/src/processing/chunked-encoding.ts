/**
 * Protobuf encoding of a large batch in slices, yielding to the event loop between slices, so that
 * exporting a 512-span batch never blocks the host application for the whole encode.
 *
 * Protobuf makes this cheap to reassemble: concatenating two encoded ExportTraceServiceRequest
 * messages is a valid message whose repeated `resource_spans` holds both (fields merge on parse).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** About 1 ms of encoding on a slow core: well under the 5 ms pause budget. */
const SPANS_PER_ENCODE_SLICE = 64;

export async function encodeProtobufInSlices(
  spans: readonly ReadableSpan[],
  sliceSize = SPANS_PER_ENCODE_SLICE,
): Promise<Uint8Array> {
  if (spans.length <= sliceSize) return encodeSlice(spans);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let start = 0; start < spans.length; start += sliceSize) {
    if (start > 0) await yieldToEventLoop();
    const part = encodeSlice(spans.slice(start, start + sliceSize));
    parts.push(part);
    total += part.length;
  }
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

function encodeSlice(spans: readonly ReadableSpan[]): Uint8Array {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans as ReadableSpan[]);
  if (bytes === undefined) throw new Error('spans could not be serialized to OTLP');
  return bytes;
}
