/**
 * A weighted semaphore with a bounded line: at most `capacity` units of work run at once (units are
 * the caller's measure of cost, e.g. rows); work that does not fit waits its turn in arrival order.
 * A burst thus queues instead of running all at once, and beyond `maxQueued` waiting callers, or
 * after `maxWaitMs` in line, a caller is refused at once (GateRefusedError), so waiting itself never
 * piles up. One gate per process (per function instance).
 */

interface ConcurrencyGateOptions {
  /** Units of work that may run at once. A caller asking for more is given the whole capacity. */
  capacity: number;
  /** Callers that may wait for their turn; the next one is refused. */
  maxQueued: number;
  /** Longest a caller waits in line before it is refused. */
  maxWaitMs: number;
}

type GateRefusal = 'queue-full' | 'wait-timeout';

export class GateRefusedError extends Error {
  override readonly name = 'GateRefusedError';

  constructor(readonly reason: GateRefusal) {
    super(
      reason === 'queue-full'
        ? 'too much work is already waiting for its turn'
        : 'waited too long for a turn to run',
    );
  }
}

export interface ConcurrencyGate {
  /** Runs `task` once `weight` units are free; rejects with GateRefusedError when it may not wait. */
  run<T>(weight: number, task: () => Promise<T>): Promise<T>;
  /** Units taken by running work, and callers waiting (for metrics and tests). */
  load(): { inUse: number; queued: number };
}

interface Waiter {
  weight: number;
  admit: () => void;
  timer: ReturnType<typeof setTimeout>;
}

export function createConcurrencyGate(options: ConcurrencyGateOptions): ConcurrencyGate {
  const capacity = Math.max(1, Math.floor(options.capacity));
  const line: Waiter[] = [];
  let inUse = 0;

  // First come, first served: a small task never overtakes a large one waiting at the head.
  const admitWaiting = () => {
    for (let head = line[0]; head !== undefined && inUse + head.weight <= capacity; head = line[0]) {
      line.shift();
      clearTimeout(head.timer);
      inUse += head.weight;
      head.admit();
    }
  };

  const acquire = (weight: number): Promise<void> => {
    if (line.length === 0 && inUse + weight <= capacity) {
      inUse += weight;
      return Promise.resolve();
    }
    if (line.length >= options.maxQueued) return Promise.reject(new GateRefusedError('queue-full'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        weight,
        admit: resolve,
        timer: setTimeout(() => {
          line.splice(line.indexOf(waiter), 1);
          reject(new GateRefusedError('wait-timeout'));
          // Those behind a large waiter that gave up may fit now.
          admitWaiting();
        }, options.maxWaitMs),
      };
      line.push(waiter);
    });
  };

  return {
    async run(weight, task) {
      const units = Math.min(capacity, Math.max(1, Math.ceil(weight)));
      await acquire(units);
      try {
        return await task();
      } finally {
        inUse -= units;
        admitWaiting();
      }
    },
    load: () => ({ inUse, queued: line.length }),
  };
}
