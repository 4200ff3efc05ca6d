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

/** Why a message is in the archive: what `npm run dead-letters -- list` groups by. */
export interface DeadLetterReason {
  /**
   * - `resolve`: a record is malformed or holds a value the store cannot keep (set aside at once);
   * - `encode`: its rows could not be encoded as Parquet (set aside at once);
   * - `receives-exhausted`: it failed on every receive the events queue allows (storage or lookup
   *   errors that did not clear; the writer's logs hold each error).
   */
  code: 'resolve' | 'encode' | 'receives-exhausted';
  message: string;
}

/** The reason the DLQ archiver records: the queue gave up, the writer's logs say why each try failed. */
export const RECEIVES_EXHAUSTED: DeadLetterReason = {
  code: 'receives-exhausted',
  message:
    'not written after the events queue’s maximum receives; the writer’s logs hold each attempt’s error',
};

/** One archived dead letter, as stored (deadLetterBody) and read back by the dead-letters command. */
export interface ArchivedDeadLetter {
  messageId: string;
  archivedAt: string;
  eventSourceARN?: string;
  attributes: Record<string, string | undefined>;
  messageAttributes: Record<string, unknown>;
  body: string;
  /** Absent in objects archived before reasons were recorded. */
  reason?: DeadLetterReason;
  /** Set by `dead-letters replay` once the message's records are back on the events queue. */
  replayedAt?: string;
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

export function deadLetterBody(
  message: DeadLetterMessage,
  archivedAt: number,
  reason: DeadLetterReason,
): Uint8Array {
  const archived: ArchivedDeadLetter = {
    messageId: message.messageId,
    archivedAt: new Date(archivedAt).toISOString(),
    eventSourceARN: message.eventSourceARN,
    attributes: message.attributes,
    messageAttributes: message.messageAttributes,
    body: message.body,
    reason,
  };
  return Buffer.from(JSON.stringify(archived));
}

/** Reads an archived dead letter back; throws on an object that is not one. */
export function parseDeadLetter(bytes: Uint8Array): ArchivedDeadLetter {
  const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as ArchivedDeadLetter).messageId !== 'string' ||
    typeof (value as ArchivedDeadLetter).body !== 'string'
  ) {
    throw new Error('not an archived dead letter (no messageId and body)');
  }
  return value as ArchivedDeadLetter;
}
