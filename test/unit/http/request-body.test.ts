import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../lambdas/http/errors';
import { readRequestBody } from '../../../lambdas/http/request-body';

const limits = { maxBodyBytes: 64 * 1024, maxDecompressedBytes: 1024 * 1024 };
const payload = Buffer.from('{"resourceSpans":[]} où ☕'.repeat(50));

function statusOf(read: () => unknown): number {
  try {
    read();
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
  throw new Error('expected an HttpError');
}

describe('readRequestBody', () => {
  it('returns a text body as its UTF-8 bytes and an absent body as empty', () => {
    const body = payload.toString('utf8');
    expect(
      Buffer.from(readRequestBody({ body, isBase64Encoded: false, contentEncoding: undefined }, limits)),
    ).toEqual(payload);
    expect(
      readRequestBody({ body: undefined, isBase64Encoded: false, contentEncoding: undefined }, limits),
    ).toHaveLength(0);
  });

  it('undoes base64 and then the content encoding', () => {
    const read = (bytes: Buffer, contentEncoding: string | undefined) =>
      Buffer.from(
        readRequestBody({ body: bytes.toString('base64'), isBase64Encoded: true, contentEncoding }, limits),
      );
    expect(read(payload, undefined)).toEqual(payload);
    expect(read(payload, 'identity')).toEqual(payload);
    expect(read(gzipSync(payload), 'gzip')).toEqual(payload);
    expect(read(gzipSync(payload), ' GZIP ')).toEqual(payload);
    expect(read(deflateSync(payload), 'deflate')).toEqual(payload);
    expect(read(deflateRawSync(payload), 'deflate')).toEqual(payload);
    expect(read(gzipSync(gzipSync(payload)), 'gzip, gzip')).toEqual(payload);
  });

  it('answers 413 to a gzip bomb without inflating past the limit', () => {
    const bomb = gzipSync(Buffer.alloc(limits.maxDecompressedBytes * 8));
    expect(bomb.length).toBeLessThan(16 * 1024);
    const read = () =>
      readRequestBody(
        { body: bomb.toString('base64'), isBase64Encoded: true, contentEncoding: 'gzip' },
        limits,
      );
    expect(statusOf(read)).toBe(413);
    expect(read).toThrow(/inflates past the limit of 1048576 bytes/);
  });

  it('answers 413 to a body over the limit, base64 or text', () => {
    const big = Buffer.alloc(limits.maxBodyBytes + 1, 0x61);
    expect(
      statusOf(() =>
        readRequestBody(
          { body: big.toString('base64'), isBase64Encoded: true, contentEncoding: undefined },
          limits,
        ),
      ),
    ).toBe(413);
    expect(
      statusOf(() =>
        readRequestBody(
          { body: big.toString('utf8'), isBase64Encoded: false, contentEncoding: 'gzip' },
          limits,
        ),
      ),
    ).toBe(413);
    const atLimit = Buffer.alloc(limits.maxBodyBytes, 0x61);
    expect(
      readRequestBody(
        { body: atLimit.toString('base64'), isBase64Encoded: true, contentEncoding: undefined },
        limits,
      ),
    ).toHaveLength(limits.maxBodyBytes);
  });

  it('answers 400 to corrupt or truncated gzip', () => {
    const gzipped = gzipSync(payload);
    const corrupt = (bytes: Buffer) => () =>
      readRequestBody(
        { body: bytes.toString('base64'), isBase64Encoded: true, contentEncoding: 'gzip' },
        limits,
      );
    expect(statusOf(corrupt(Buffer.from('definitely not gzip')))).toBe(400);
    expect(statusOf(corrupt(gzipped.subarray(0, gzipped.length - 10)))).toBe(400);
    expect(corrupt(Buffer.from('nope'))).toThrow(/not valid gzip data/);
  });

  it('answers 415 to an unknown content encoding', () => {
    const read = () =>
      readRequestBody({ body: 'x', isBase64Encoded: false, contentEncoding: 'zstd' }, limits);
    expect(statusOf(read)).toBe(415);
    expect(read).toThrow(/Unsupported Content-Encoding "zstd"/);
  });
});
