/**
 * A data plane that comes up before its control plane (or before the control plane lists it): the
 * scheduled sender keeps trying to register, says "unregistered" without failing the run, and turns
 * to heartbeats once a registration got through; a lost control plane makes it register again.
 */
import { describe, expect, it } from 'vitest';
import { digest } from '../../../lambdas/domain/sync/digest';
import { type DataPlaneReport, parseDataPlaneReport } from '../../../lambdas/domain/sync/registration';
import { createHeartbeatSender, createScheduledReporter } from '../../../lambdas/heartbeat-sender/app';
import { DATA_PLANE, NOW } from './fixtures';

const SCHEDULED = { kind: 'heartbeat' };

/** A control plane's heartbeat queue that can be absent (SendMessage fails) and come up later. */
function controlPlaneQueue() {
  const received: DataPlaneReport[] = [];
  const queue = {
    deployed: false,
    received,
    async send(body: string) {
      if (!queue.deployed) throw new Error('AWS.SimpleQueueService.NonExistentQueue');
      received.push(parseDataPlaneReport(JSON.parse(body)));
    },
  };
  return queue;
}

function reporter(queue: ReturnType<typeof controlPlaneQueue>) {
  const send = createHeartbeatSender({
    dataPlaneId: DATA_PLANE,
    location: {
      account: '222222222222',
      region: 'eu-central-1',
      endpoint: 'https://abc.execute-api.eu-central-1.amazonaws.com/',
      hostingModel: 'dedicated',
    },
    appliedState: { inventory: async () => [], appliedSeq: async () => 0 },
    health: async () => ({ queueDepth: 0, errors: 0, lagMs: 0 }),
    send: (body) => queue.send(body),
    clock: () => NOW,
  });
  return createScheduledReporter(send);
}

describe('scheduled registration', () => {
  it('says unregistered, without failing the run, for as long as the control plane is not there', async () => {
    const queue = controlPlaneQueue();
    const run = reporter(queue);
    for (let minute = 0; minute < 3; minute++) {
      const outcome = await run(SCHEDULED);
      expect(outcome.registration).toBe('unregistered');
      expect(outcome.sent).toBeUndefined();
      expect(String(outcome.error)).toContain('NonExistentQueue');
    }
    expect(queue.received).toEqual([]);
  });

  it('registers at the first run after the control plane comes up, then sends heartbeats', async () => {
    const queue = controlPlaneQueue();
    const run = reporter(queue);
    await run(SCHEDULED);
    queue.deployed = true;
    const first = await run(SCHEDULED);
    const second = await run(SCHEDULED);
    expect(first).toMatchObject({ registration: 'registered', sent: { type: 'registration' } });
    expect(second).toMatchObject({ registration: 'registered', sent: { type: 'heartbeat' } });
    expect(queue.received.map((report) => report.type)).toEqual(['registration', 'heartbeat']);
    expect(queue.received[0]).toMatchObject({ dataPlaneId: DATA_PLANE, digest: digest([]) });
  });

  it('fails a heartbeat that cannot be sent, and registers again at the next run', async () => {
    const queue = controlPlaneQueue();
    queue.deployed = true;
    const run = reporter(queue);
    await run(SCHEDULED);
    queue.deployed = false;
    await expect(run(SCHEDULED)).rejects.toThrow('NonExistentQueue');
    expect((await run(SCHEDULED)).registration).toBe('unregistered');
    queue.deployed = true;
    expect((await run(SCHEDULED)).sent?.type).toBe('registration');
    expect(queue.received.map((report) => report.type)).toEqual(['registration', 'registration']);
  });

  it('registers again when asked to (an operator invokes it without the schedule input)', async () => {
    const queue = controlPlaneQueue();
    queue.deployed = true;
    const run = reporter(queue);
    await run(SCHEDULED);
    expect((await run({})).sent?.type).toBe('registration');
    expect((await run(SCHEDULED)).sent?.type).toBe('heartbeat');
  });
});
