/**
 * The request body as bytes, out of an API Gateway HTTP API event: base64 undone (non-text bodies arrive
 * base64-encoded), content encodings undone, and both the body and what it inflates to held to limits so
 * a gzip bomb costs at most maxDecompressedBytes of memory.
 */
import { Buffer } from 'node:buffer';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { badRequest, payloadTooLarge, unsupportedMediaType } from './errors';

export interface RawRequestBody {
  body: string | undefined;
  isBase64Encoded: boolean;
  contentEncoding: string | undefined;
}

export interface BodyLimits {
  /** Largest body accepted as sent (after base64 is undone, before decompression). */
  maxBodyBytes: number;
  /** Largest body accepted after decompression. */
  maxDecompressedBytes: number;
}

type Decompress = (bytes: Buffer, maxOutputLength: number) => Buffer;

const ZLIB_HEADER_ERROR = 'Z_DATA_ERROR';

const DECOMPRESSORS: Record<string, Decompress> = {
  gzip: (bytes, maxOutputLength) => gunzipSync(bytes, { maxOutputLength }),
  'x-gzip': (bytes, maxOutputLength) => gunzipSync(bytes, { maxOutputLength }),
  deflate: inflateDeflate,
  br: (bytes, maxOutputLength) => brotliDecompressSync(bytes, { maxOutputLength }),
};

export const SUPPORTED_CONTENT_ENCODINGS = ['identity', ...Object.keys(DECOMPRESSORS)];

export function readRequestBody(input: RawRequestBody, limits: BodyLimits): Uint8Array {
  return readRequestBodies(input, limits).decoded;
}

/**
 * Both forms of the body: `sent` as it came over the wire (base64 undone, content encoding kept),
 * `decoded` with every content encoding undone. Callers that store the body as sent (the raw
 * archive) use `sent` instead of decoding the transport a second time.
 */
export function readRequestBodies(
  input: RawRequestBody,
  limits: BodyLimits,
): { sent: Uint8Array; decoded: Uint8Array } {
  const codings = parseContentEncoding(input.contentEncoding);
  const sent = decodeTransport(input, limits.maxBodyBytes);
  let decoded = sent;
  // Codings are listed in the order they were applied, so they are undone from the last one back.
  for (let index = codings.length - 1; index >= 0; index--) {
    decoded = decompress(codings[index] as string, decoded, limits.maxDecompressedBytes);
  }
  return { sent, decoded };
}

/** Content-Encoding as a list of codings to undo; identity and empty entries drop out. Unknown ones are 415. */
function parseContentEncoding(header: string | undefined): string[] {
  if (header === undefined) return [];
  const codings: string[] = [];
  for (const entry of header.split(',')) {
    const coding = entry.trim().toLowerCase();
    if (coding === '' || coding === 'identity') continue;
    if (!Object.hasOwn(DECOMPRESSORS, coding)) {
      throw unsupportedMediaType(
        `Unsupported Content-Encoding "${entry.trim()}"; supported: ${SUPPORTED_CONTENT_ENCODINGS.join(', ')}`,
      );
    }
    codings.push(coding);
  }
  return codings;
}

function decodeTransport(input: RawRequestBody, maxBodyBytes: number): Buffer {
  const body = input.body ?? '';
  // Sizes are checked before the bytes are materialised, so an oversize body is refused cheaply.
  const size = input.isBase64Encoded ? base64DecodedLength(body) : Buffer.byteLength(body, 'utf8');
  if (size > maxBodyBytes)
    throw payloadTooLarge(`Request body of ${size} bytes exceeds the limit of ${maxBodyBytes}`);
  return input.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

function base64DecodedLength(base64: string): number {
  let padding = 0;
  if (base64.endsWith('==')) padding = 2;
  else if (base64.endsWith('=')) padding = 1;
  return Math.floor((base64.length * 3) / 4) - padding;
}

function decompress(coding: string, bytes: Buffer, maxDecompressedBytes: number): Buffer {
  const decompressor = DECOMPRESSORS[coding] as Decompress;
  try {
    return decompressor(bytes, maxDecompressedBytes);
  } catch (error) {
    if (isErrorWithCode(error, 'ERR_BUFFER_TOO_LARGE')) {
      throw payloadTooLarge(`Request body inflates past the limit of ${maxDecompressedBytes} bytes`);
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw badRequest(`Request body is not valid ${coding} data: ${reason}`);
  }
}

/** deflate in HTTP means zlib-wrapped, but some clients send raw deflate: accept both. */
function inflateDeflate(bytes: Buffer, maxOutputLength: number): Buffer {
  try {
    return inflateSync(bytes, { maxOutputLength });
  } catch (error) {
    if (isErrorWithCode(error, ZLIB_HEADER_ERROR)) return inflateRawSync(bytes, { maxOutputLength });
    throw error;
  }
}

function isErrorWithCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
