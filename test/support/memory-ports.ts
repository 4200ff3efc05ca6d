import { hashApiKey } from '../../lambdas/domain/auth/api-key';
import type { ApiKeyRecord, ApiKeyScope } from '../../lambdas/domain/auth/principal';
import type { Tenant } from '../../lambdas/domain/events/event';
import type { KeyRegistry, MessageQueue, ObjectStore, QueueMessage } from '../../lambdas/domain/ports';

/** In-memory ObjectStore for unit tests; `failNext` makes the next put reject. */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, Uint8Array>();
  failPuts = false;

  async put(key: string, body: Uint8Array): Promise<void> {
    if (this.failPuts) throw new Error('simulated object store outage');
    this.objects.set(key, body);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key);
  }

  async *list(prefix: string): AsyncIterable<string> {
    for (const key of [...this.objects.keys()].sort()) if (key.startsWith(prefix)) yield key;
  }
}

/** In-memory MessageQueue that checks the SQS batch limits on every call. */
export class MemoryQueue implements MessageQueue {
  readonly batches: QueueMessage[][] = [];
  failSends = false;

  get messages(): QueueMessage[] {
    return this.batches.flat();
  }

  async sendBatch(messages: QueueMessage[]): Promise<void> {
    if (this.failSends) throw new Error('simulated queue outage');
    if (messages.length === 0 || messages.length > 10) throw new Error(`batch of ${messages.length} entries`);
    const bytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m.body), 0);
    if (bytes > 1024 * 1024) throw new Error(`batch of ${bytes} bytes`);
    this.batches.push(messages);
  }
}

export class MemoryKeyRegistry implements KeyRegistry {
  readonly records = new Map<string, ApiKeyRecord>();
  lookups = 0;

  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    this.lookups++;
    return this.records.get(keyHash);
  }

  async put(record: ApiKeyRecord): Promise<void> {
    this.records.set(record.keyHash, record);
  }

  /** Registers a live key (stored by its hash, as the registry holds keys) for a project. */
  async register(
    key: string,
    project: Tenant & { projectName: string },
    scopes: ApiKeyScope[],
  ): Promise<void> {
    await this.put({ keyHash: hashApiKey(key), ...project, scopes, revoked: false, createdAt: 0 });
  }
}
