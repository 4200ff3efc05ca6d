/**
 * The control plane's heartbeat receiver: one SQS batch from the heartbeat queues (one queue per data
 * plane, whose policy lets only that data plane's sender role write). The data plane a report is
 * about is the queue it came through, never the body alone: a report whose dataPlaneId differs from
 * its queue's is refused, as is a malformed one or one from the future. Refused reports are deleted
 * (retrying cannot make them valid); only a store outage reports the message failed. No AWS imports.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { HeartbeatStore } from '../domain/sync/heartbeat-store';
import { type DataPlaneReport, parseDataPlaneReport } from '../domain/sync/registration';

interface HeartbeatReceiverDeps {
  store: HeartbeatStore;
  /** Heartbeat queue name -> the data plane that alone may send to it (from the deployment config). */
  queues: ReadonlyMap<string, string>;
  clock?: () => number;
  /** How far in the future a report's sentAt may be (clock skew); default 5 minutes. */
  maxFutureMs?: number;
  onRefused?: (info: { messageId: string; reason: string }) => void;
  onStored?: (info: { messageId: string; report: DataPlaneReport; stored: boolean }) => void;
  onFailure?: (info: { messageId: string; error: unknown }) => void;
}

/** The queue name at the end of an SQS ARN (arn:aws:sqs:region:account:name). */
function queueNameOf(queueArn: string): string {
  return queueArn.slice(queueArn.lastIndexOf(':') + 1);
}

export function createHeartbeatReceiver(
  deps: HeartbeatReceiverDeps,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const clock = deps.clock ?? Date.now;
  const maxFutureMs = deps.maxFutureMs ?? 5 * 60_000;
  return async (event) => {
    const failed: string[] = [];
    for (const record of event.Records) {
      const refuse = (reason: string) => deps.onRefused?.({ messageId: record.messageId, reason });
      const expected = deps.queues.get(queueNameOf(record.eventSourceARN ?? ''));
      if (!expected) {
        refuse('unknown heartbeat queue');
        continue;
      }
      let report: DataPlaneReport;
      try {
        report = parseDataPlaneReport(JSON.parse(record.body) as unknown);
      } catch (error) {
        refuse(`malformed: ${(error as Error).message}`);
        continue;
      }
      if (report.dataPlaneId !== expected) {
        refuse(`dataPlaneId ${report.dataPlaneId} on the queue of ${expected}`);
        continue;
      }
      if (report.sentAt > clock() + maxFutureMs) {
        refuse('sentAt is in the future');
        continue;
      }
      try {
        const stored = await deps.store.record(report);
        deps.onStored?.({ messageId: record.messageId, report, stored });
      } catch (error) {
        failed.push(record.messageId);
        deps.onFailure?.({ messageId: record.messageId, error });
      }
    }
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** Parses HEARTBEAT_QUEUES (JSON object: queue name -> data plane id). */
export function parseHeartbeatQueues(text: string): Map<string, string> {
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('HEARTBEAT_QUEUES must be a JSON object');
  const queues = new Map<string, string>();
  for (const [name, id] of Object.entries(parsed)) {
    if (typeof id !== 'string' || !id) throw new Error(`HEARTBEAT_QUEUES.${name} must be a data plane id`);
    queues.set(name, id);
  }
  return queues;
}
