/**
 * Errors as HTTP answers. The edge's own refusals (no route, a method the path does not have, a body
 * it cannot read, an answer too large for Lambda) are HttpErrors with their status; the domain's
 * typed errors (lambdas/domain/errors.ts) get theirs here, with Retry-After and WWW-Authenticate where
 * the error carries them. The error boundary (router.ts) turns either into the API's error body.
 */
import { type DomainError, type DomainErrorKind, isDomainError } from '../domain/errors';

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

/** 400: the request cannot be read (corrupt encoding, a malformed path parameter). */
export function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}

/** 413: the body, or what it inflates to, is larger than the limit. */
export function payloadTooLarge(message: string): HttpError {
  return new HttpError(413, message);
}

/** 415: a content encoding this endpoint does not accept. */
export function unsupportedMediaType(message: string): HttpError {
  return new HttpError(415, message);
}

/** The status of each kind of domain error: one kind, one status. */
export const DOMAIN_ERROR_STATUS: Readonly<Record<DomainErrorKind, number>> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'unsupported-format': 415,
  'rate-limited': 429,
  unavailable: 503,
  'timed-out': 504,
};

const CHALLENGES = { required: 'Bearer', invalid: 'Bearer error="invalid_token"' } as const;

/** The answer an error gets: an HttpError as it is, a domain error by its kind; undefined for anything else (a 500). */
export function httpErrorOf(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (isDomainError(error))
    return new HttpError(DOMAIN_ERROR_STATUS[error.kind], error.message, headersOf(error));
  return undefined;
}

function headersOf(error: DomainError): Record<string, string> | undefined {
  if (error.retryAfterSeconds !== undefined) return { 'Retry-After': String(error.retryAfterSeconds) };
  if (error.challenge !== undefined) return { 'www-authenticate': CHALLENGES[error.challenge] };
  return undefined;
}
