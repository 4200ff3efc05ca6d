/**
 * What domain code throws when it refuses a request: a typed error whose `kind` says why, and for
 * the refusals a caller can act on, when to retry or which credential to send. Domain code never
 * chooses an HTTP status; the HTTP edge (lambdas/http/errors.ts) maps each kind to one, with the
 * headers and body of the API that answers. Anything else thrown is a bug or an outage: a 500.
 */
export type DomainErrorKind =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'unsupported-format'
  | 'rate-limited'
  | 'unavailable'
  | 'timed-out';

/**
 * For an unauthorized caller: `required` when no usable credential came (send one), `invalid` when
 * the one sent is not valid (a new one is needed).
 */
export type CredentialChallenge = 'required' | 'invalid';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  /** rate-limited and unavailable: seconds after which the same request may succeed. */
  readonly retryAfterSeconds?: number;
  /** unauthorized: what the caller's credential lacked, when the refusal should say. */
  readonly challenge?: CredentialChallenge;
}

/** A DomainError class of one kind that needs nothing but a message. */
function kindOfError<K extends DomainErrorKind>(kind: K, name: string) {
  return class extends DomainError {
    readonly kind: K = kind;
    override readonly name: string = name;
  };
}

/** The request is malformed or breaks a rule: a field of the wrong type, an unknown name, a bad range. */
export class ValidationError extends kindOfError('validation', 'ValidationError') {}

/** No credential, or one that proves nothing (unknown, malformed, wrong password). */
export class UnauthorizedError extends kindOfError('unauthorized', 'UnauthorizedError') {
  constructor(
    message: string,
    override readonly challenge?: CredentialChallenge,
  ) {
    super(message);
  }
}

/** A valid caller that may not do this (missing scope or role, another project's credential). */
export class ForbiddenError extends kindOfError('forbidden', 'ForbiddenError') {}

/** What the request names does not exist (or is not visible to the caller). */
export class NotFoundError extends kindOfError('not-found', 'NotFoundError') {}

/** The request contradicts the current state: a duplicate name, a lost conditional write, a last owner. */
export class ConflictError extends kindOfError('conflict', 'ConflictError') {}

/** The request holds more than a limit allows (items, values, bytes); the caller should split it. */
export class TooLargeError extends kindOfError('too-large', 'TooLargeError') {}

/** The body is in a format this operation does not read. */
export class UnsupportedFormatError extends kindOfError('unsupported-format', 'UnsupportedFormatError') {}

/** The work did not finish within the time it had (a read past its deadline). */
export class TimedOutError extends kindOfError('timed-out', 'TimedOutError') {}

/** Too many attempts from this caller; the same request may succeed after retryAfterSeconds. */
export class RateLimitedError extends kindOfError('rate-limited', 'RateLimitedError') {
  constructor(
    message: string,
    override readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A dependency failed or is saturated; nothing was done, and a retry after retryAfterSeconds may succeed. */
export class UnavailableError extends kindOfError('unavailable', 'UnavailableError') {
  constructor(
    message: string,
    override readonly retryAfterSeconds: number = 1,
  ) {
    super(message);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
