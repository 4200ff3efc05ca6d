/**
 * The largest requests the ingest function accepts, one per kind of work: every count at its limit
 * at once, and the values made as long as the 32 MiB inflated-body limit allows. The peak-memory
 * test holds the handler to the function's memory on them; `npm run bench` reports them.
 */
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MAX_BATCH_EVENTS, MAX_JSON_VALUES } from '../../lambdas/domain/honeyhive';
import { DEFAULT_INGEST_LIMITS } from '../../lambdas/domain/ingest/ingest-service';
import { apigwEvent } from './apigw-event';
import { PEAK_MEMORY_KEY } from './ingest-peak-memory';
import { type OtlpRequestShape, otlpJsonRequest, otlpProtobufRequest } from './otlp-request-shapes';

const limits = DEFAULT_INGEST_LIMITS;

interface LargestRequest {
  name: string;
  /** Bytes after gzip decoding (at most maxDecompressedBytes). */
  decodedBytes: number;
  event: APIGatewayProxyEventV2;
}

/** The longest value length (from 0 up) for which `build` stays within the inflated-body limit. */
function longestFitting(build: (valueLength: number) => Uint8Array | string): Uint8Array {
  const sizeOf = (length: number) => Buffer.byteLength(build(length));
  const base = sizeOf(0);
  const perCharacter = sizeOf(64) - base;
  let length = Math.floor(((limits.maxDecompressedBytes - base) * 64) / perCharacter);
  let body = build(length);
  while (Buffer.byteLength(body) > limits.maxDecompressedBytes) body = build(--length);
  return typeof body === 'string' ? Buffer.from(body) : body;
}

function request(name: string, path: string, contentType: string, body: Uint8Array): LargestRequest {
  const event = apigwEvent({
    method: 'POST',
    path,
    headers: {
      authorization: `Bearer ${PEAK_MEMORY_KEY}`,
      'content-type': contentType,
      'content-encoding': 'gzip',
    },
    body: gzipSync(body, { level: 6 }),
  });
  return { name, decodedBytes: body.byteLength, event };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Spans and attributes both at their limits (16 attributes a span), values filling the body. */
const SPANS_AND_ATTRIBUTES = (valueLength: number): OtlpRequestShape => ({
  spans: limits.maxSpansPerRequest,
  attributesPerSpan: limits.maxAttributesPerRequest / limits.maxSpansPerRequest,
  resourceAttributes: 0,
  valueLength,
});

/** Span events at their limit, carrying the request's attributes (4 events of 4 attributes a span). */
const EVENTS_AND_ATTRIBUTES = (valueLength: number): OtlpRequestShape => ({
  spans: limits.maxSpansPerRequest,
  attributesPerSpan: 0,
  eventsPerSpan: limits.maxEventsAndLinksPerRequest / limits.maxSpansPerRequest,
  attributesPerEventOrLink: limits.maxAttributesPerRequest / limits.maxEventsAndLinksPerRequest,
  resourceAttributes: 0,
  valueLength,
});

/** A full REST batch whose events hold the body's JSON values as metadata members. */
function restBatch(valueLength: number): string {
  const membersPerEvent = Math.floor((MAX_JSON_VALUES - 2 * MAX_BATCH_EVENTS) / MAX_BATCH_EVENTS) - 8;
  const value = 'v'.repeat(valueLength);
  const events = Array.from({ length: MAX_BATCH_EVENTS }, (_, index) => {
    const metadata: Record<string, string> = {};
    for (let member = 0; member < membersPerEvent; member++) metadata[`k${member}`] = value;
    return { event_type: 'tool', event_name: `step-${index}`, inputs: { q: index }, metadata };
  });
  return JSON.stringify({ events });
}

export function largestAcceptedRequests(): LargestRequest[] {
  return [
    request(
      `OTLP protobuf: ${fmt(limits.maxSpansPerRequest)} spans, ${fmt(limits.maxAttributesPerRequest)} attributes`,
      '/v1/traces',
      'application/x-protobuf',
      longestFitting((length) => otlpProtobufRequest(SPANS_AND_ATTRIBUTES(length))),
    ),
    request(
      `OTLP protobuf: ${fmt(limits.maxEventsAndLinksPerRequest)} span events, ${fmt(limits.maxAttributesPerRequest)} attributes`,
      '/v1/traces',
      'application/x-protobuf',
      longestFitting((length) => otlpProtobufRequest(EVENTS_AND_ATTRIBUTES(length))),
    ),
    request(
      `OTLP JSON: ${fmt(limits.maxSpansPerRequest)} spans, ${fmt(limits.maxAttributesPerRequest)} attributes`,
      '/v1/traces',
      'application/json',
      longestFitting((length) => otlpJsonRequest(SPANS_AND_ATTRIBUTES(length))),
    ),
    request(
      `HoneyHive /events/batch: ${fmt(MAX_BATCH_EVENTS)} events, about ${fmt(MAX_JSON_VALUES)} JSON values`,
      '/events/batch',
      'application/json',
      longestFitting(restBatch),
    ),
  ];
}
