/** Shared fixtures for the event-store tests: events, records and an in-memory store with faults. */
import type {
  EventRecord,
  WaggleEvent,
  WaggleEventUpdate,
  WaggleTombstone,
} from '../../../lambdas/domain/events/event';
import type { DeletableObjectStore } from '../../../lambdas/domain/ports';

export const TENANT = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' } as const;

/** 2026-03-04T05:06:07Z */
export const T0 = Date.UTC(2026, 2, 4, 5, 6, 7);

export function makeEvent(overrides: Partial<WaggleEvent> = {}): WaggleEvent {
  return {
    ...TENANT,
    event_id: 'evt-1',
    version: 1_000_000,
    session_id: 'sess-1',
    parent_id: 'sess-1',
    children_ids: [],
    trace_id: 'a'.repeat(32),
    span_id: 'b'.repeat(16),
    event_type: 'model',
    event_name: 'chat',
    source: 'test',
    start_time: T0,
    end_time: T0 + 1500,
    duration: 1500,
    model: 'gpt-4o-mini',
    provider: 'openai',
    prompt_tokens: 10,
    completion_tokens: 5,
    total_tokens: 15,
    cost: 0.001,
    error: null,
    config: { temperature: 0.2 },
    inputs: { chat_history: [{ role: 'user', content: 'hi' }] },
    outputs: { content: 'hello' },
    metadata: { k: 'v' },
    metrics: {},
    feedback: {},
    user_properties: { user: 'u1' },
    ingested_at: T0 + 2000,
    deleted: false,
    ...overrides,
  };
}

export function eventRecord(overrides: Partial<WaggleEvent> = {}): EventRecord {
  return { kind: 'event', event: makeEvent(overrides) };
}

export function updateRecord(
  eventId: string,
  version: number,
  patch: WaggleEventUpdate['patch'],
): EventRecord {
  return { kind: 'update', update: { ...TENANT, event_id: eventId, version, ingested_at: T0 + 5000, patch } };
}

export function tombstoneRecord(overrides: Partial<WaggleTombstone> = {}): EventRecord {
  return {
    kind: 'tombstone',
    tombstone: { ...TENANT, target: 'event', id: 'evt-1', deleted_at: T0, ...overrides },
  };
}

/** An in-memory store whose puts or deletes can be made to fail for chosen keys. */
export class FaultyMemoryStore implements DeletableObjectStore {
  readonly objects = new Map<string, Uint8Array>();
  failPut: (key: string) => boolean = () => false;
  failDelete: (key: string) => boolean = () => false;
  readonly putKeys: string[] = [];

  async put(key: string, body: Uint8Array): Promise<void> {
    if (this.failPut(key)) throw new Error(`simulated put failure for ${key}`);
    this.putKeys.push(key);
    this.objects.set(key, body);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key);
  }

  async *list(prefix: string): AsyncIterable<string> {
    for (const key of [...this.objects.keys()].sort()) if (key.startsWith(prefix)) yield key;
  }

  async delete(key: string): Promise<void> {
    if (this.failDelete(key)) throw new Error(`simulated delete failure for ${key}`);
    this.objects.delete(key);
  }

  keys(prefix = ''): string[] {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }
}
