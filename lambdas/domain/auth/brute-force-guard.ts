/**
 * The brute-force limit on the data plane's credentials: failed authentications (CredentialRejected)
 * are counted per source, and a source over the limit is refused (RateLimitedError, with when to retry) before its
 * credential is looked at. The counts live in a RateLimiter: in memory per guard by default, or one
 * shared by every function that authenticates (DynamoRateLimiter on AWS, one memory limiter locally).
 */
import { type DomainError, RateLimitedError, UnavailableError } from '../errors';
import { CredentialRejected } from './credential-rejected';
import { createMemoryRateLimiter, type RateLimiter, type RateLimitPolicy } from './rate-limit';

export interface BruteForceGuardOptions {
  /** Where failures are counted; default: in memory, for this guard alone. */
  rateLimiter?: RateLimiter;
  /** Failed authentications a source may make per window before it is refused; default 20 per minute. */
  failureLimit?: RateLimitPolicy;
  clock?: () => number;
  /** Sources remembered at once (blocked sources here, counters in the default limiter). */
  maxEntries?: number;
}

/**
 * Runs one authentication attempt for `source` (the caller's source IP): refuses a blocked source
 * first, and counts the attempt if it fails with CredentialRejected.
 */
type BruteForceGuard = <T>(source: string, attempt: () => Promise<T>) => Promise<T>;

const DEFAULT_FAILURE_LIMIT: RateLimitPolicy = { limit: 20, windowMs: 60_000 };

export function createBruteForceGuard(options: BruteForceGuardOptions = {}): BruteForceGuard {
  const clock = options.clock ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  const limiter = options.rateLimiter ?? createMemoryRateLimiter({ clock, maxEntries });
  const policy = options.failureLimit ?? DEFAULT_FAILURE_LIMIT;
  // Sources this guard saw go over the limit, so a blocked flood costs no limiter round trips.
  const blockedUntil = new Map<string, number>();

  function block(source: string, now: number, retryAfterSeconds: number): RateLimitedError {
    if (blockedUntil.size >= maxEntries) blockedUntil.delete(blockedUntil.keys().next().value as string);
    blockedUntil.set(source, now + retryAfterSeconds * 1000);
    return tooManyFailures(retryAfterSeconds);
  }

  /** A source over the limit is refused whatever it sends: the limiter cannot tell a lucky guess from a real credential. */
  async function refuseIfBlocked(source: string, now: number): Promise<void> {
    const until = blockedUntil.get(source);
    if (until !== undefined && until > now) throw tooManyFailures(Math.ceil((until - now) / 1000));
    if (until !== undefined) blockedUntil.delete(source);
    const decision = await limited(() => limiter.peek(bucketOf(source), policy));
    if (!decision.allowed) throw block(source, now, decision.retryAfterSeconds);
  }

  async function countFailure(source: string, now: number, failure: DomainError): Promise<DomainError> {
    const decision = await limited(() => limiter.hit(bucketOf(source), policy));
    return decision.allowed ? failure : block(source, now, decision.retryAfterSeconds);
  }

  return async (source, attempt) => {
    const now = clock();
    await refuseIfBlocked(source, now);
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof CredentialRejected) throw await countFailure(source, now, error);
      throw error;
    }
  };
}

function tooManyFailures(retryAfterSeconds: number): RateLimitedError {
  return new RateLimitedError('Too many failed authentication attempts; retry later', retryAfterSeconds);
}

/** One counter per source, whatever the credential or the function: guessing any way spends one budget. */
function bucketOf(source: string): string {
  return `auth-failures:${source}`;
}

/** The limiter is part of the check: if it cannot answer, nothing gets through (UnavailableError, retryable). */
async function limited<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch {
    throw new UnavailableError('Cannot check the authentication rate limit right now', 5);
  }
}
