/**
 * The body of one events-queue message. Many records travel in one message (SQS bills per 64 KiB
 * chunk and per request, not per record); a record too big for any message is stored as an object
 * and the message carries its key instead.
 */
import type { EventRecord } from '../events/event';

export type QueueEnvelope = { v: 1; records: EventRecord[] } | { v: 1; overflowKey: string };

const ENVELOPE_PREFIX = '{"v":1,"records":[';
const ENVELOPE_SUFFIX = ']}';
/** Bytes a records envelope adds around the comma-joined records. */
export const ENVELOPE_OVERHEAD_BYTES = ENVELOPE_PREFIX.length + ENVELOPE_SUFFIX.length;

/** Joins already-serialized records into an envelope body without re-serializing them. */
export function recordsEnvelopeBody(serializedRecords: readonly string[]): string {
  return `${ENVELOPE_PREFIX}${serializedRecords.join(',')}${ENVELOPE_SUFFIX}`;
}

export function overflowEnvelopeBody(overflowKey: string): string {
  return JSON.stringify({ v: 1, overflowKey } satisfies QueueEnvelope);
}

export function parseQueueEnvelope(body: string): QueueEnvelope {
  const parsed = JSON.parse(body) as Partial<{ v: number; records: unknown; overflowKey: unknown }>;
  if (parsed?.v !== 1) throw new Error('Not a Waggle queue envelope (expected v: 1)');
  if (Array.isArray(parsed.records)) return { v: 1, records: parsed.records as EventRecord[] };
  if (typeof parsed.overflowKey === 'string') return { v: 1, overflowKey: parsed.overflowKey };
  throw new Error('Queue envelope has neither records nor overflowKey');
}
