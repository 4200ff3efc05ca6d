import { describe, expect, it } from 'vitest';
import { CredentialRejected } from '../../../lambdas/domain/auth/credential-rejected';
import { VersionConflictError } from '../../../lambdas/domain/control-plane/store';
import {
  ConflictError,
  type DomainError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  TimedOutError,
  TooLargeError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedFormatError,
  ValidationError,
} from '../../../lambdas/domain/errors';
import { DOMAIN_ERROR_STATUS, HttpError, httpErrorOf } from '../../../lambdas/http/errors';

describe('httpErrorOf: the status and headers of each domain error', () => {
  const cases: Array<[DomainError, number, Record<string, string> | undefined]> = [
    [new ValidationError('bad field'), 400, undefined],
    [new UnauthorizedError('Sign in first'), 401, undefined],
    [new UnauthorizedError('Missing', 'required'), 401, { 'www-authenticate': 'Bearer' }],
    [
      new UnauthorizedError('Unknown', 'invalid'),
      401,
      { 'www-authenticate': 'Bearer error="invalid_token"' },
    ],
    [
      new CredentialRejected('unauthorized', 'Unknown API key', 'invalid'),
      401,
      {
        'www-authenticate': 'Bearer error="invalid_token"',
      },
    ],
    [new CredentialRejected('forbidden', 'This API key has been revoked'), 403, undefined],
    [new ForbiddenError('Forbidden'), 403, undefined],
    [new NotFoundError('No such API key'), 404, undefined],
    [new ConflictError('exists'), 409, undefined],
    [new VersionConflictError({ kind: 'project', org_id: 'o', id: 'p' }), 409, undefined],
    [new TooLargeError('too many items'), 413, undefined],
    [new UnsupportedFormatError('send application/json'), 415, undefined],
    [new RateLimitedError('slow down', 45), 429, { 'Retry-After': '45' }],
    [new UnavailableError('queue down'), 503, { 'Retry-After': '1' }],
    [new UnavailableError('queue down', 2), 503, { 'Retry-After': '2' }],
    [new TimedOutError('the read took too long'), 504, undefined],
  ];

  it.each(cases)('%s answers %i', (error, status, headers) => {
    const answer = httpErrorOf(error);
    expect(answer).toBeInstanceOf(HttpError);
    expect(answer).toMatchObject({ status, message: error.message });
    expect(answer?.headers).toEqual(headers);
  });

  it('gives every kind its own status', () => {
    const statuses = Object.values(DOMAIN_ERROR_STATUS);
    expect(new Set(statuses).size).toBe(statuses.length);
  });

  it("keeps the edge's own HttpErrors and leaves anything else to be a 500", () => {
    const edge = new HttpError(405, 'Method Not Allowed', { Allow: 'GET' });
    expect(httpErrorOf(edge)).toBe(edge);
    expect(httpErrorOf(new Error('secret detail'))).toBeUndefined();
    expect(httpErrorOf('thrown string')).toBeUndefined();
  });
});
