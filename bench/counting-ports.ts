import type { ApiKeyRecord } from '../lambdas/domain/auth/principal';
import type { KeyRegistry, MessageQueue, ObjectStore, QueueMessage } from '../lambdas/domain/ports';
import { SQS_BILLED_CHUNK_BYTES } from '../lambdas/domain/queue-limits';

/** Ports that keep nothing but counts, so the benchmark measures Waggle's own work and its request mix. */
export class CountingObjectStore implements ObjectStore {
  puts = 0;
  bytes = 0;
  async put(_key: string, body: Uint8Array): Promise<void> {
    this.puts++;
    this.bytes += body.byteLength;
  }
  async get(): Promise<Uint8Array | undefined> {
    return undefined;
  }
  async *list(): AsyncIterable<string> {}
}

export class CountingQueue implements MessageQueue {
  batches = 0;
  messages = 0;
  /** Body bytes of every message sent. */
  bytes = 0;
  /** SQS bills each SendMessageBatch per 64 KiB chunk of its total payload. */
  billedChunks = 0;
  async sendBatch(messages: QueueMessage[]): Promise<void> {
    const bytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m.body), 0);
    this.batches++;
    this.messages += messages.length;
    this.bytes += bytes;
    this.billedChunks += Math.max(1, Math.ceil(bytes / SQS_BILLED_CHUNK_BYTES));
  }
}

export class StaticKeyRegistry implements KeyRegistry {
  constructor(private readonly record: ApiKeyRecord) {}
  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    return keyHash === this.record.keyHash ? this.record : undefined;
  }
  async put(): Promise<void> {}
}
