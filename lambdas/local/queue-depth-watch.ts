/**
 * Decides when the events queue's depth is worth a log line: when a backlog builds up (more waiting
 * than the writer takes in one batch), each time it doubles, and once when it is worked off. A
 * queue the writer keeps up with says nothing.
 */
interface QueueDepthWatch {
  /** The line to log for this sample of waiting messages, if any. */
  sample(waiting: number): string | undefined;
}

export function createQueueDepthWatch(backlogThreshold: number): QueueDepthWatch {
  let reported = 0;
  return {
    sample(waiting) {
      if (waiting > backlogThreshold && waiting >= reported * 2) {
        const line = `events queue: ${waiting} message(s) waiting${reported > 0 ? ` (was ${reported})` : ''}; the writer is behind`;
        reported = waiting;
        return line;
      }
      if (reported > 0 && waiting === 0) {
        reported = 0;
        return 'events queue: backlog written; the writer has caught up';
      }
      return undefined;
    },
  };
}
