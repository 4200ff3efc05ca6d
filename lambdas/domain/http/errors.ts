/**
 * Errors that carry an HTTP answer. Domain code throws them; a handler's error boundary turns them
 * into a response with `status`, the message as the body and any extra `headers` (e.g. Retry-After).
 */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';

  constructor(
    readonly status: number,
    message: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/** 400: the body cannot be read (corrupt encoding, malformed payload). */
export function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}

/** 413: the body, or what it inflates to, is larger than the limit. */
export function payloadTooLarge(message: string): HttpError {
  return new HttpError(413, message);
}

/** 415: a content type or content encoding this endpoint does not accept. */
export function unsupportedMediaType(message: string): HttpError {
  return new HttpError(415, message);
}

/** 503 with Retry-After: a dependency failed; the client should retry later. */
export function serviceUnavailable(message: string, retryAfterSeconds = 1): HttpError {
  return new HttpError(503, message, { 'Retry-After': String(retryAfterSeconds) });
}

export function isHttpError(error: unknown): error is HttpError {
  return error instanceof HttpError;
}
