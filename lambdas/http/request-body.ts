/**
 * The request body as bytes, out of an API Gateway HTTP API event: base64 undone (non-text bodies arrive
 * base64-encoded), content encodings undone, and both the body and what it inflates to held to limits so
 * a gzip bomb costs at most maxDecompressedBytes of memory.
 */
import { Buffer } from 'node:buffer';
import { promisify } from 'node:util';
import {
  brotliDecompress,
  brotliDecompressSync,
  gunzip,
  gunzipSync,
  inflate,
  inflateRaw,
  inflateRawSync,
  inflateSync,
  type ZlibOptions,
} from 'node:zlib';
import { badRequest, payloadTooLarge, unsupportedMediaType } from './errors';

interface RawRequestBody {
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

type Inflate = (bytes: Buffer, options: ZlibOptions) => Buffer;
type InflateAsync = (bytes: Buffer, options: ZlibOptions) => Promise<Buffer>;

/** One content coding: undone on this thread, or on libuv's thread pool so the event loop keeps running. */
interface Codec {
  inflate: Inflate;
  inflateAsync: InflateAsync;
  /** deflate in HTTP means zlib-wrapped, but some clients send raw deflate: tried when the header is wrong. */
  raw?: { inflate: Inflate; inflateAsync: InflateAsync };
}

const ZLIB_HEADER_ERROR = 'Z_DATA_ERROR';

const GZIP: Codec = { inflate: gunzipSync, inflateAsync: promisify(gunzip) };

const DECOMPRESSORS: Record<string, Codec> = {
  gzip: GZIP,
  'x-gzip': GZIP,
  deflate: {
    inflate: inflateSync,
    inflateAsync: promisify(inflate),
    raw: { inflate: inflateRawSync, inflateAsync: promisify(inflateRaw) },
  },
  br: { inflate: brotliDecompressSync, inflateAsync: promisify(brotliDecompress) },
};

const SUPPORTED_CONTENT_ENCODINGS = ['identity', ...Object.keys(DECOMPRESSORS)];

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

/**
 * readRequestBodies with the content encodings undone on libuv's thread pool: inflating 32 MiB takes
 * 100-200 ms, which would otherwise stop every other request a process is serving.
 */
export async function readRequestBodiesOffThread(
  input: RawRequestBody,
  limits: BodyLimits,
): Promise<{ sent: Uint8Array; decoded: Uint8Array }> {
  const codings = parseContentEncoding(input.contentEncoding);
  const sent = decodeTransport(input, limits.maxBodyBytes);
  let decoded = sent;
  for (let index = codings.length - 1; index >= 0; index--) {
    decoded = await decompressOffThread(codings[index] as string, decoded, limits.maxDecompressedBytes);
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
  const codec = DECOMPRESSORS[coding] as Codec;
  const options = { maxOutputLength: maxDecompressedBytes };
  try {
    try {
      return codec.inflate(bytes, options);
    } catch (error) {
      if (codec.raw && isErrorWithCode(error, ZLIB_HEADER_ERROR)) return codec.raw.inflate(bytes, options);
      throw error;
    }
  } catch (error) {
    throw decompressionRefusal(coding, error, maxDecompressedBytes);
  }
}

async function decompressOffThread(
  coding: string,
  bytes: Buffer,
  maxDecompressedBytes: number,
): Promise<Buffer> {
  const codec = DECOMPRESSORS[coding] as Codec;
  const options = { maxOutputLength: maxDecompressedBytes };
  try {
    try {
      return await codec.inflateAsync(bytes, options);
    } catch (error) {
      if (codec.raw && isErrorWithCode(error, ZLIB_HEADER_ERROR))
        return await codec.raw.inflateAsync(bytes, options);
      throw error;
    }
  } catch (error) {
    throw decompressionRefusal(coding, error, maxDecompressedBytes);
  }
}

/** 413 for a body that inflates past the limit (a gzip bomb), 400 for one that is not valid data. */
function decompressionRefusal(coding: string, error: unknown, maxDecompressedBytes: number): Error {
  if (isErrorWithCode(error, 'ERR_BUFFER_TOO_LARGE')) {
    return payloadTooLarge(`Request body inflates past the limit of ${maxDecompressedBytes} bytes`);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return badRequest(`Request body is not valid ${coding} data: ${reason}`);
}

function isErrorWithCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
