import { describe, expect, it } from 'vitest';
import { encodeOtlpStatus } from '../../../lambdas/ingest/otlp-status';
import {
  encodeStatusWithRetryInfo,
  errorMessageOf,
  GrpcCode,
  grpcFailureFor,
} from '../../../lambdas/local/grpc-status';

describe('OTLP/gRPC status for an ingest answer', () => {
  it('maps HTTP statuses as the OTLP specification advises', () => {
    const cases: Array<[number, string | undefined, ReturnType<typeof grpcFailureFor>]> = [
      [400, undefined, { code: GrpcCode.INVALID_ARGUMENT }],
      [415, undefined, { code: GrpcCode.INVALID_ARGUMENT }],
      [401, undefined, { code: GrpcCode.UNAUTHENTICATED }],
      [403, undefined, { code: GrpcCode.PERMISSION_DENIED }],
      [404, undefined, { code: GrpcCode.UNIMPLEMENTED }],
      // Too large: not retryable, so no RetryInfo.
      [413, undefined, { code: GrpcCode.RESOURCE_EXHAUSTED }],
      // Throttled: retryable after Retry-After, which RetryInfo carries.
      [429, '40', { code: GrpcCode.RESOURCE_EXHAUSTED, retryDelaySeconds: 40 }],
      [429, undefined, { code: GrpcCode.RESOURCE_EXHAUSTED, retryDelaySeconds: 1 }],
      [503, '5', { code: GrpcCode.UNAVAILABLE, retryDelaySeconds: 5 }],
      [503, undefined, { code: GrpcCode.UNAVAILABLE }],
      [502, 'soon', { code: GrpcCode.UNAVAILABLE }],
      [504, undefined, { code: GrpcCode.DEADLINE_EXCEEDED }],
      [500, undefined, { code: GrpcCode.INTERNAL }],
      [418, undefined, { code: GrpcCode.INVALID_ARGUMENT }],
    ];
    for (const [status, retryAfter, expected] of cases) {
      expect(grpcFailureFor(status, retryAfter), `HTTP ${status}`).toEqual(expected);
    }
  });

  it('reads the message of a protobuf google.rpc.Status body and of a JSON one', () => {
    const protobuf = {
      statusCode: 401,
      headers: { 'Content-Type': 'application/x-protobuf' },
      body: Buffer.from(encodeOtlpStatus(16, 'Unknown API key é')).toString('base64'),
      isBase64Encoded: true,
    };
    expect(errorMessageOf(protobuf)).toBe('Unknown API key é');
    const json = {
      statusCode: 415,
      headers: { 'content-type': 'application/json' },
      body: '{"code":3,"message":"Unsupported content type"}',
    };
    expect(errorMessageOf(json)).toBe('Unsupported content type');
    expect(errorMessageOf({ statusCode: 500 })).toBe('the ingest handler answered 500');
    expect(
      errorMessageOf({
        statusCode: 400,
        headers: { 'content-type': 'application/x-protobuf' },
        body: Buffer.from([0x12, 0x7f]).toString('base64'),
        isBase64Encoded: true,
      }),
    ).toBe('the ingest handler answered 400');
  });

  it('writes google.rpc.Status with a RetryInfo detail', () => {
    // Status { code: 8, message: "slow down", details: [Any { RetryInfo { retry_delay { seconds: 40 } } }] }
    const typeUrl = Buffer.from('type.googleapis.com/google.rpc.RetryInfo');
    const any = Buffer.concat([
      Buffer.from([0x0a, typeUrl.length]),
      typeUrl,
      Buffer.from([0x12, 4, 0x0a, 2, 0x08, 40]),
    ]);
    const expected = Buffer.concat([
      Buffer.from([0x08, 8, 0x12, 9]),
      Buffer.from('slow down'),
      Buffer.from([0x1a, any.length]),
      any,
    ]);
    expect(encodeStatusWithRetryInfo(GrpcCode.RESOURCE_EXHAUSTED, 'slow down', 40)).toEqual(expected);
  });
});
