import type { JSX } from 'react';
import type { RunStatus as Status } from '../api/experiments';

const STATUS_WORDS: Record<string, { words: string; className: string }> = {
  pending: { words: 'Running', className: 'status off' },
  running: { words: 'Running', className: 'status off' },
  completed: { words: 'Completed', className: 'status ok' },
  failed: { words: 'Failed', className: 'status bad' },
  cancelled: { words: 'Cancelled', className: 'status off' },
};

/** Whether a run is still going (its sessions still arriving). */
export function isRunning(status: Status | undefined): boolean {
  return status === 'pending' || status === 'running';
}

/** A run's status in words (HoneyHive's pending and Waggle's running both read "Running"). */
export function RunStatus({ status }: { status: Status }): JSX.Element {
  const known = STATUS_WORDS[status];
  return <span className={known?.className ?? 'status off'}>{known?.words ?? status}</span>;
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
