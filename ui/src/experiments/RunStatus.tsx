import type { JSX } from 'react';
import type { RunStatus as Status } from '../api/experiments';

/** A run's status in words: completed, or still running (pending). */
export function RunStatus({ status }: { status: Status }): JSX.Element {
  return (
    <span className={status === 'completed' ? 'status ok' : 'status off'}>
      {status === 'completed' ? 'Completed' : status === 'pending' ? 'Running' : status}
    </span>
  );
}

/** A pass or a fail in words beside its mark (never the colour alone). */
export function Verdict({
  passed,
  testId,
}: {
  passed: boolean | null | undefined;
  testId?: string;
}): JSX.Element | null {
  if (passed === null || passed === undefined) return null;
  return (
    <span className={passed ? 'verdict pass' : 'verdict fail'} data-testid={testId}>
      {passed ? '✓ Pass' : '✗ Fail'}
    </span>
  );
}
