/**
 * The OTLP/gRPC answer for each HTTP status the ingest handler answers with, following the OTLP
 * specification (opentelemetry-specification, specification/protocol/otlp.md, "OTLP/gRPC Response",
 * "Failures" and "OTLP/gRPC Throttling"):
 *
 * - A client retries CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE and DATA_LOSS;
 *   RESOURCE_EXHAUSTED only when the status carries a google.rpc.RetryInfo; every other code never
 *   (the data is dropped). Retryable failures use UNAVAILABLE, not-retryable ones INVALID_ARGUMENT
 *   unless another code fits better.
 * - Backpressure is signalled with a RetryInfo whose retry_delay says how long to wait.
 *
 * So: 400/415 INVALID_ARGUMENT, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404/405 UNIMPLEMENTED,
 * 413 RESOURCE_EXHAUSTED without RetryInfo (the same message would be too large again: not retried;
 * grpc-js answers a message over its size limit with the same code), 429 RESOURCE_EXHAUSTED with
 * RetryInfo (the Retry-After: retried after it), 502/503 UNAVAILABLE (with RetryInfo when the
 * answer had Retry-After), 504 DEADLINE_EXCEEDED, any other 4xx INVALID_ARGUMENT, any other 5xx
 * INTERNAL. The status message is the handler's error message.
 */
import { status as GrpcCode } from '@grpc/grpc-js';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { WireReader, WireType } from '../domain/otlp/wire-reader';

export { GrpcCode };

interface GrpcFailure {
  code: GrpcCode;
  /** Seconds for a google.rpc.RetryInfo in the status details; absent: no RetryInfo. */
  retryDelaySeconds?: number;
}

/** A 429 without Retry-After is still retryable: RetryInfo then asks for this wait. */
const DEFAULT_THROTTLE_SECONDS = 1;

export function grpcFailureFor(httpStatus: number, retryAfter?: string): GrpcFailure {
  const delay = retryAfterSeconds(retryAfter);
  switch (httpStatus) {
    case 400:
    case 415:
      return { code: GrpcCode.INVALID_ARGUMENT };
    case 401:
      return { code: GrpcCode.UNAUTHENTICATED };
    case 403:
      return { code: GrpcCode.PERMISSION_DENIED };
    case 404:
    case 405:
      return { code: GrpcCode.UNIMPLEMENTED };
    case 413:
      return { code: GrpcCode.RESOURCE_EXHAUSTED };
    case 429:
      return { code: GrpcCode.RESOURCE_EXHAUSTED, retryDelaySeconds: delay ?? DEFAULT_THROTTLE_SECONDS };
    case 502:
    case 503:
      return delay === undefined
        ? { code: GrpcCode.UNAVAILABLE }
        : { code: GrpcCode.UNAVAILABLE, retryDelaySeconds: delay };
    case 504:
      return { code: GrpcCode.DEADLINE_EXCEEDED };
    default:
      return { code: httpStatus >= 400 && httpStatus < 500 ? GrpcCode.INVALID_ARGUMENT : GrpcCode.INTERNAL };
  }
}

function retryAfterSeconds(retryAfter: string | undefined): number | undefined {
  const text = retryAfter?.trim();
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/**
 * The `grpc-status-details-bin` trailer: google.rpc.Status { code, message, details: [Any {
 * google.rpc.RetryInfo { retry_delay: google.protobuf.Duration { seconds } } }] }.
 */
export function encodeStatusWithRetryInfo(
  code: GrpcCode,
  message: string,
  retryDelaySeconds: number,
): Buffer {
  const duration = field(1, WireType.VARINT, varint(retryDelaySeconds));
  const retryInfo = field(1, WireType.LEN, duration);
  const any = Buffer.concat([
    field(1, WireType.LEN, Buffer.from(RETRY_INFO_TYPE_URL, 'utf8')),
    field(2, WireType.LEN, retryInfo),
  ]);
  return Buffer.concat([
    code === 0 ? Buffer.alloc(0) : field(1, WireType.VARINT, varint(code)),
    field(2, WireType.LEN, Buffer.from(message, 'utf8')),
    field(3, WireType.LEN, any),
  ]);
}

/**
 * The error message of a handler's failed OTLP answer: the google.rpc.Status `message` of a protobuf
 * body (what the handler writes for an `application/x-protobuf` request), or `message`/`error` of a
 * JSON one.
 */
export function errorMessageOf(result: APIGatewayProxyStructuredResultV2): string {
  const fallback = `the ingest handler answered ${result.statusCode ?? 200}`;
  if (result.body === undefined || result.body === '') return fallback;
  const body = Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  const type = String(headerOf(result, 'content-type') ?? '').toLowerCase();
  try {
    if (type.includes('json')) {
      const parsed = JSON.parse(body.toString('utf8')) as { message?: unknown; error?: unknown };
      const message = parsed.message ?? parsed.error;
      return typeof message === 'string' && message !== '' ? message : fallback;
    }
    if (type.includes('protobuf')) return statusMessage(body) || fallback;
  } catch {
    // An unreadable error body still fails the call, with the fallback message.
  }
  return fallback;
}

export function headerOf(result: APIGatewayProxyStructuredResultV2, name: string): string | undefined {
  const entry = Object.entries(result.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry === undefined ? undefined : String(entry[1]);
}

/** google.rpc.Status `message` (field 2). */
function statusMessage(bytes: Uint8Array): string {
  const reader = new WireReader(bytes);
  let message = '';
  while (reader.pos < bytes.byteLength) {
    const tag = reader.tag();
    if (tag === ((2 << 3) | WireType.LEN)) message = reader.string(bytes.byteLength);
    else reader.skip(tag, bytes.byteLength);
  }
  return message;
}

function field(number: number, wireType: number, payload: Uint8Array): Buffer {
  const head = varint((number << 3) | wireType);
  return wireType === WireType.LEN
    ? Buffer.concat([head, varint(payload.byteLength), payload])
    : Buffer.concat([head, payload]);
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}
