import { describe, expect, it } from 'vitest';
import { createQueueDepthWatch } from '../../../lambdas/local/queue-depth-watch';

describe('events queue depth watch', () => {
  it('is quiet while the writer keeps up', () => {
    const watch = createQueueDepthWatch(500);
    expect([0, 12, 480, 3, 0].map((depth) => watch.sample(depth))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('speaks when a backlog builds, each time it doubles, and once when it is written', () => {
    const watch = createQueueDepthWatch(500);
    const lines = [600, 900, 1300, 2700, 40, 0, 0].map((depth) => watch.sample(depth));
    expect(lines[0]).toBe('events queue: 600 message(s) waiting; the writer is behind');
    expect(lines[1]).toBeUndefined();
    expect(lines[2]).toBe('events queue: 1300 message(s) waiting (was 600); the writer is behind');
    expect(lines[3]).toBe('events queue: 2700 message(s) waiting (was 1300); the writer is behind');
    expect(lines[4]).toBeUndefined();
    expect(lines[5]).toBe('events queue: backlog written; the writer has caught up');
    expect(lines[6]).toBeUndefined();
  });
});
