/**
 * The few ports the domain talks through. AWS implementations live in lambdas/adapters/aws,
 * local ones (files, in-process queues) in lambdas/adapters/local. The domain never imports either.
 */
import type { ApiKeyRecord } from './auth/principal';

export interface ObjectStore {
  /** Durably stores bytes under key; resolves only once the object is written. */
  put(
    key: string,
    body: Uint8Array,
    options?: { contentType?: string; contentEncoding?: string },
  ): Promise<void>;
  /** Returns the bytes, or undefined when no object has that key. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Lists keys under a prefix, in lexicographic order. */
  list(prefix: string): AsyncIterable<string>;
}

/**
 * An ObjectStore that can also delete (compaction). A separate port so that code that only adds
 * objects (ingest, the writer) is never handed, nor needs to implement, deletion.
 */
export interface DeletableObjectStore extends ObjectStore {
  /** Removes the object; resolves as well when there is none (like S3 DeleteObject). */
  delete(key: string): Promise<void>;
}

/** One message body for a queue (the events queue, a data plane's inbox). */
export interface QueueMessage {
  id: string;
  body: string;
  /**
   * FIFO queues only: the message group (messages of one group are delivered in order, one batch
   * at a time) and the id by which a resend within 5 minutes is dropped as a duplicate.
   */
  fifo?: { groupId: string; deduplicationId: string };
  /** Standard queues: seconds before the message is first delivered (SQS DelaySeconds, 0-900). */
  delaySeconds?: number;
}

export interface MessageQueue {
  /**
   * Sends up to 10 messages whose bodies add up to at most 1 MiB (the SQS SendMessageBatch limits).
   * Resolves only when every message is accepted; rejects if any is not (the caller retries or fails the request).
   */
  sendBatch(messages: QueueMessage[]): Promise<void>;
}

export interface KeyRegistry {
  /** Looks a key up by the hex SHA-256 of the key. */
  findByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  put(record: ApiKeyRecord): Promise<void>;
}
