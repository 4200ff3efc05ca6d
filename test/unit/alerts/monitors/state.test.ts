import { describe, expect, it } from 'vitest';
import {
  type MonitorStatus,
  nextStatus,
  percentChange,
} from '../../../../lambdas/domain/alerts/monitors/state';

const ABOVE = { condition: 'above' as const, warning: 5, critical: 10, paused: false };
const BELOW = { condition: 'below' as const, warning: 0.9, critical: 0.5, paused: false };
const DRIFT = { condition: 'drift' as const, warning: 20, critical: 50, paused: false };

/** Runs values through the machine, returning each step's state and what it notified. */
function run(content: typeof ABOVE | typeof BELOW | typeof DRIFT, values: (number | undefined | 'pause')[]) {
  let status: MonitorStatus | undefined;
  return values.map((value, index) => {
    const transition = nextStatus(
      value === 'pause' ? { ...content, paused: true } : content,
      value === 'pause' ? undefined : value,
      status,
      index * 60_000,
    );
    status = transition.status;
    return `${transition.status.state}${transition.severity ? `!${transition.severity}` : ''}`;
  });
}

describe('monitor state machine', () => {
  it('a new monitor stays unknown without data and does not fire', () => {
    expect(run(ABOVE, [undefined, undefined])).toEqual(['unknown', 'unknown']);
  });

  it('unknown -> ok notifies nothing; ok -> critical -> ok notifies the alert and its resolution', () => {
    expect(run(ABOVE, [0, 0, 11, 12, 0])).toEqual([
      'ok',
      'ok',
      'critical!critical',
      'critical',
      'ok!resolution',
    ]);
  });

  it('a first evaluation over the threshold fires at once', () => {
    expect(run(ABOVE, [undefined, 11])).toEqual(['unknown', 'critical!critical']);
  });

  it('warning, then critical, then back down to warning, each notify', () => {
    expect(run(ABOVE, [6, 11, 6, 1])).toEqual([
      'warning!warning',
      'critical!critical',
      'warning!warning',
      'ok!resolution',
    ]);
  });

  it('thresholds are crossed strictly (equal is not beyond)', () => {
    expect(run(ABOVE, [5, 10])).toEqual(['ok', 'warning!warning']);
  });

  it('no_data keeps the alert: critical -> no_data -> critical does not alert twice, -> ok resolves', () => {
    expect(run(ABOVE, [11, undefined, 11, undefined, 0])).toEqual([
      'critical!critical',
      'no_data',
      'critical',
      'no_data',
      'ok!resolution',
    ]);
  });

  it('ok -> no_data -> ok notifies nothing', () => {
    expect(run(ABOVE, [1, undefined, 1])).toEqual(['ok', 'no_data', 'ok']);
  });

  it('paused is silent; unpaused the monitor resolves or alerts from where it is', () => {
    expect(run(ABOVE, [11, 'pause', 'pause', 0])).toEqual([
      'critical!critical',
      'paused',
      'paused',
      'ok!resolution',
    ]);
    expect(run(ABOVE, ['pause', undefined, 11])).toEqual(['paused', 'unknown', 'critical!critical']);
  });

  it('below: falling under the levels alerts', () => {
    expect(run(BELOW, [1, 0.8, 0.4, 0.95])).toEqual([
      'ok',
      'warning!warning',
      'critical!critical',
      'ok!resolution',
    ]);
  });

  it('drift compares the size of the change either way', () => {
    expect(run(DRIFT, [10, -30, 60, -60, 5])).toEqual([
      'ok',
      'warning!warning',
      'critical!critical',
      'critical',
      'ok!resolution',
    ]);
    expect(percentChange(150, 100)).toBe(50);
    expect(percentChange(50, -100)).toBe(150);
    expect(percentChange(5, 0)).toBeUndefined();
    expect(percentChange(undefined, 3)).toBeUndefined();
  });

  it('keeps since while the state holds and moves it on a change', () => {
    const first = nextStatus(ABOVE, 11, undefined, 1000).status;
    const second = nextStatus(ABOVE, 12, first, 2000).status;
    const third = nextStatus(ABOVE, 0, second, 3000).status;
    expect([first.since, second.since, third.since]).toEqual([1000, 1000, 3000]);
    expect(third.threshold).toBe(5);
  });
});
