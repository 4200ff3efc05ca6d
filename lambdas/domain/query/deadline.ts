/**
 * A read's deadline: the epoch ms by which its answer must be on its way. API Gateway gives a
 * request 30 s at most, so a read that cannot finish stops its statements and answers 504 instead
 * of running on for an answer nobody will receive.
 */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
}

/** Milliseconds left before the deadline (0 when it has passed). */
export function remainingMs(deadline: number, now: number = Date.now()): number {
  return Math.max(0, deadline - now);
}

/** Throws DeadlineExceededError when the deadline has passed: no new statement should start. */
export function assertBeforeDeadline(
  deadline: number | undefined,
  what: string,
  now: number = Date.now(),
): void {
  if (deadline !== undefined && now >= deadline)
    throw new DeadlineExceededError(`the read's deadline passed before ${what}`);
}
