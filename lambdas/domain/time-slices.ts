/**
 * Long synchronous work cut into slices with the event loop running between them, so that one large
 * request cannot hold up every other request of a process (the local platform serves them all from
 * one thread). On Lambda an instance serves one request at a time and a pause costs microseconds.
 *
 * Work that can pause is written as a step generator: it `yield`s when `pacer.due()` says its slice
 * is spent, and a driver resumes it: `TimeSlices.run` after letting the event loop run, `finish`
 * straight away (for callers that want the answer synchronously, with NEVER_DUE so it never yields).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

export type Steps<T> = Generator<void, T, void>;

export interface Pacer {
  /** True once the current slice has run long enough; the work should yield. */
  due(): boolean;
}

/** A pacer for synchronous callers: work never yields. */
export const NEVER_DUE: Pacer = { due: () => false };

/** Long enough that pausing costs nothing measurable, short enough that other requests barely wait. */
const DEFAULT_SLICE_MS = 10;

export class TimeSlices implements Pacer {
  private deadline: number;

  constructor(private readonly sliceMs = DEFAULT_SLICE_MS) {
    this.deadline = performance.now() + sliceMs;
  }

  due(): boolean {
    return performance.now() >= this.deadline;
  }

  /** Lets the event loop run (timers, I/O, other requests), then starts a new slice. */
  async pause(): Promise<void> {
    await nextTurn();
    this.deadline = performance.now() + this.sliceMs;
  }

  /** Pauses only if the slice is spent: for loops in async code. */
  async pauseIfDue(): Promise<void> {
    if (this.due()) await this.pause();
  }

  /** Runs step-generator work to its end, pausing wherever it yields. */
  async run<T>(steps: Steps<T>): Promise<T> {
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      await this.pause();
    }
  }
}

/** Runs step-generator work started with NEVER_DUE to its end synchronously. */
export function finish<T>(steps: Steps<T>): T {
  const step = steps.next();
  if (!step.done) throw new Error('Work paused although its pacer never asked it to');
  return step.value;
}
