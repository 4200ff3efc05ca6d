/**
 * The dead-letter archive: a message that exhausted its receives on the events queue is kept as
 * one JSON object in the event store, so nothing that reached the queue is ever gone (the DLQ
 * itself forgets after its retention period). The object holds everything needed to replay it.
 */
import { DEAD_LETTERS_PREFIX } from './layout';

export interface DeadLetterMessage {
  messageId: string;
  body: string;
  attributes: Record<string, string | undefined>;
  messageAttributes: Record<string, unknown>;
  eventSourceARN?: string;
}

/**
 * The archive key. The day comes from the message's SentTimestamp, which every redelivery of the
 * same message carries, so archiving it twice overwrites one object instead of adding another.
 */
export function deadLetterKey(
  message: Pick<DeadLetterMessage, 'messageId' | 'attributes'>,
  fallbackMs: number,
): string {
  const sent = Number(message.attributes.SentTimestamp);
  const day = new Date(Number.isFinite(sent) && sent > 0 ? sent : fallbackMs).toISOString().slice(0, 10);
  return `${DEAD_LETTERS_PREFIX}dt=${day}/${encodeURIComponent(message.messageId)}.json`;
}

export function deadLetterBody(message: DeadLetterMessage, archivedAt: number): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      messageId: message.messageId,
      archivedAt: new Date(archivedAt).toISOString(),
      eventSourceARN: message.eventSourceARN,
      attributes: message.attributes,
      messageAttributes: message.messageAttributes,
      body: message.body,
    }),
  );
}
