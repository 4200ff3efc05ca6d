/**
 * The data-plane controller function's logic: one SQS batch from the inbox queue, applied through
 * the sync controller. A rejected message (forged, misaddressed, malformed, too old) is logged,
 * counted and deleted: retrying cannot make it valid. Only an outage (a store or the verifier
 * throwing) reports the message failed, with every message after it in the batch, so SQS delivers
 * them again in order. No AWS imports.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  type ApplyStatus,
  createSyncController,
  type SyncController,
  type SyncControllerDeps,
} from '../domain/sync/controller';
import type { SyncKind } from '../domain/sync/messages';
import type { RejectReason } from '../domain/sync/signing';

interface DataPlaneControllerDeps extends SyncControllerDeps {
  /** Never given the body: a rejected message's payload is not something to copy into logs. */
  onRejected?: (info: { messageId: string; reason: RejectReason; detail: string }) => void;
  onApplied?: (info: {
    messageId: string;
    status: ApplyStatus;
    kind: SyncKind;
    entityId: string;
    entityVersion: number;
    seq: number;
  }) => void;
  onFailure?: (info: { messageId: string; error: unknown }) => void;
}

type DataPlaneController = ((event: SQSEvent) => Promise<SQSBatchResponse>) & {
  /** The controller behind the handler, for heartbeats (stats, digest) and reconciliation. */
  readonly sync: SyncController;
};

export function createDataPlaneController(deps: DataPlaneControllerDeps): DataPlaneController {
  const sync = createSyncController(deps);
  const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failed: string[] = [];
    // In batch order, one at a time. The inbox is a FIFO queue: once a message fails, the rest of the
    // batch is returned unprocessed (failed), so that nothing later in the group overtakes it.
    for (const record of event.Records) {
      if (failed.length > 0) {
        failed.push(record.messageId);
        continue;
      }
      try {
        const result = await sync.handle(record.body);
        if (result.status === 'rejected') {
          deps.onRejected?.({ messageId: record.messageId, reason: result.reason, detail: result.detail });
        } else {
          const { kind, entityId, entityVersion, seq } = result.message;
          deps.onApplied?.({
            messageId: record.messageId,
            status: result.status,
            kind,
            entityId,
            entityVersion,
            seq,
          });
        }
      } catch (error) {
        failed.push(record.messageId);
        deps.onFailure?.({ messageId: record.messageId, error });
      }
    }
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
  return Object.assign(handler, { sync });
}
