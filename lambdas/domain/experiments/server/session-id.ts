/**
 * An experiment datapoint's session id: a UUID made from the run id and the datapoint id (the
 * layout of a name-based UUID, version 5 bits, from SHA-256), so that a retry or a redrive of the
 * datapoint writes the same session again, as a newer version, instead of a second session.
 */
import { createHash } from 'node:crypto';

export function experimentSessionId(runId: string, datapointId: string): string {
  const bytes = createHash('sha256')
    .update(runId)
    .update('\u0000')
    .update(datapointId)
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
