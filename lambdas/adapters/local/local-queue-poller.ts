/**
 * Drives a Lambda-style SQS consumer from a LocalQueue the way Lambda's event source mapping does:
 * it waits up to the batching window to fill a batch, invokes the handler, deletes the records
 * that succeeded and leaves the rest to become visible again after the visibility timeout.
 * One batch is in flight at a time.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { LocalQueue } from './local-queue';

// biome-ignore lint/suspicious/noConfusingVoidType: the same result type as aws-lambda's SQSHandler, so real handlers fit.
export type SqsConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | void>;
type ConsumerResult = Awaited<ReturnType<SqsConsumer>>;

interface QueuePollerOptions {
  /** Records per invocation (Lambda's BatchSize). */
  batchSize?: number;
  /** How long to wait for a full batch once a message is visible (MaximumBatchingWindowInSeconds). */
  maximumBatchingWindowMs?: number;
  /** How long a received message stays hidden before it can be received again. */
  visibilityTimeoutMs?: number;
  /** Longest idle sleep between checks when nothing signals a change. */
  idlePollMs?: number;
  log?: (line: string) => void;
}

export interface QueuePoller {
  /** Stops polling and waits for the batch in flight to finish. */
  stop(): Promise<void>;
}

export function startQueuePoller(
  queue: LocalQueue,
  consumer: SqsConsumer,
  options: QueuePollerOptions = {},
): QueuePoller {
  const batchSize = options.batchSize ?? 10;
  const windowMs = options.maximumBatchingWindowMs ?? 0;
  const visibilityTimeoutMs = options.visibilityTimeoutMs ?? 30_000;
  const idlePollMs = options.idlePollMs ?? 1_000;
  const log = options.log ?? (() => {});
  let running = true;

  const sleepUntilChange = (maxMs: number) => {
    const nextVisibleAt = queue.nextVisibleAt();
    const untilVisible = nextVisibleAt === undefined ? maxMs : nextVisibleAt - Date.now();
    return queue.waitForChange(Math.min(maxMs, Math.max(untilVisible, 1)));
  };

  const loop = async () => {
    while (running) {
      try {
        if (queue.depth().visible === 0) {
          await sleepUntilChange(idlePollMs);
          await queue.refresh();
          continue;
        }
        const deadline = Date.now() + windowMs;
        while (running && queue.depth().visible < batchSize && Date.now() < deadline) {
          await sleepUntilChange(deadline - Date.now());
        }
        if (!running) break;
        const records = await queue.receive(batchSize, visibilityTimeoutMs);
        if (records.length > 0) await invoke(queue, consumer, records, log);
      } catch (error) {
        log(`queue ${queue.name}: poll failed: ${describe(error)}`);
        if (running) await queue.waitForChange(idlePollMs);
      }
    }
  };
  const done = loop();

  return {
    async stop() {
      running = false;
      queue.notifyChange();
      await done;
    },
  };
}

async function invoke(
  queue: LocalQueue,
  consumer: SqsConsumer,
  records: SQSRecord[],
  log: (line: string) => void,
): Promise<void> {
  let response: ConsumerResult;
  try {
    response = await consumer({ Records: records });
  } catch (error) {
    // A thrown error fails the whole batch: every record comes back after its visibility timeout.
    log(`queue ${queue.name}: consumer failed the batch of ${records.length}: ${describe(error)}`);
    return;
  }
  const failedIds = failedMessageIds(response, records);
  if (failedIds === 'all') {
    log(`queue ${queue.name}: consumer returned an invalid batchItemFailures; the whole batch is retried`);
    return;
  }
  if (failedIds.size > 0) log(`queue ${queue.name}: ${failedIds.size} of ${records.length} records failed`);
  await Promise.all(
    records
      .filter((record) => !failedIds.has(record.messageId))
      .map((record) => queue.delete(record.receiptHandle)),
  );
}

/** Lambda treats a failure entry that names no record of the batch as a failure of the whole batch. */
function failedMessageIds(response: ConsumerResult, records: SQSRecord[]): Set<string> | 'all' {
  const failures = response?.batchItemFailures ?? [];
  const batchIds = new Set(records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    if (typeof failure?.itemIdentifier !== 'string' || !batchIds.has(failure.itemIdentifier)) return 'all';
    failed.add(failure.itemIdentifier);
  }
  return failed;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
