/**
 * Answers as Lambda returns them. gzip for clients that ask for it (`Accept-Encoding: gzip`): API
 * Gateway's HTTP API passes a binary body on when the function returns it base64-encoded with
 * isBase64Encoded, so a gzipped answer is sent as base64 text, which costs 4/3 of the compressed
 * bytes: it is used only when that is still smaller than the plain body, so compressing never makes
 * an answer larger. And the last line of defence of the response budget
 * (lambdas/domain/read-api/response-budget.ts): an answer Lambda could not return is refused.
 */
import { gzipSync } from 'node:zlib';
import { LAMBDA_RESPONSE_LIMIT_BYTES, lambdaPayloadBytes } from '../domain/read-api/response-budget';
import { HttpError } from './errors';
import type { HttpResponse } from './json-response';

/** Below this, compressing saves less than it costs. */
const MIN_COMPRESSED_BODY_BYTES = 1024;

interface EncodedResponse extends HttpResponse {
  isBase64Encoded?: boolean;
}

/** Whether the header accepts gzip (`gzip`, `x-gzip` or `*`, with a q-value above 0). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  return acceptEncoding.split(',').some((entry) => {
    const [coding = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') return false;
    const q = params.find((param) => param.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

export function encodeResponse(response: HttpResponse, acceptEncoding: string | undefined): EncodedResponse {
  const vary = { ...response.headers, vary: 'accept-encoding' };
  if (!acceptsGzip(acceptEncoding) || Buffer.byteLength(response.body) < MIN_COMPRESSED_BODY_BYTES)
    return { ...response, headers: vary };
  const encoded = gzipSync(response.body).toString('base64');
  if (encoded.length >= Buffer.byteLength(response.body)) return { ...response, headers: vary };
  return {
    statusCode: response.statusCode,
    headers: { ...vary, 'content-encoding': 'gzip' },
    body: encoded,
    isBase64Encoded: true,
  };
}

/** An answer that would not fit in Lambda's response payload is refused (500) with the limit named. */
export function assertFitsLambda(response: unknown): void {
  const bytes = lambdaPayloadBytes(response);
  if (bytes > LAMBDA_RESPONSE_LIMIT_BYTES)
    throw new HttpError(
      500,
      `The answer would be ${bytes} bytes; a Lambda response is at most ${LAMBDA_RESPONSE_LIMIT_BYTES} bytes (6 MB)`,
    );
}
