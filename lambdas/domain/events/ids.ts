/**
 * Deterministic ids: the same (trace id, span id) always yields the same event id, so a retried
 * export produces the same event and the writer can de-duplicate it.
 */
import { hash } from 'node:crypto';

/** Formats 32 hex digits as a UUID with the version-5 and RFC 4122 variant bits set (name-based, SHA-1). */
function uuidFromName(name: string): string {
  const h = hash('sha1', name, 'hex');
  const variant = ((Number.parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Event id of the span `spanId` in trace `traceId` (also used for a child's parent_id). */
export function eventIdForSpan(traceId: string, spanId: string): string {
  return uuidFromName(`waggle:span:${traceId.toLowerCase()}:${spanId.toLowerCase()}`);
}

/** Session id for spans that name no session: one session per trace. */
export function sessionIdForTrace(traceId: string): string {
  return uuidFromName(`waggle:session:${traceId.toLowerCase()}`);
}
