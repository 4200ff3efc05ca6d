/**
 * How many export rows one function instance reads at once. A page is at most MAX_EXPORT_LIMIT
 * (7500) events read whole, plus their session events, with inputs and outputs of up to 32 KiB each
 * inline: hundreds of MB to read and serialize. Twenty full pages at once took a local process to
 * 6.4 GB and none answered within 120 s, so exports share a gate weighted by their `limit`: a burst
 * waits its turn, and past the line or the wait it is refused (UnavailableError, with when to retry).
 */
import { type ConcurrencyGate, createConcurrencyGate, GateRefusedError } from '../concurrency-gate';
import { UnavailableError } from '../errors';
import { MAX_EXPORT_LIMIT } from '../query/types';

/** Two full pages (or, say, fifteen of the default 1000 rows) are read at once, per instance. */
export const EXPORT_ROWS_IN_FLIGHT = 2 * MAX_EXPORT_LIMIT;
/** Exports that may wait for their turn; one more is refused at once. */
export const MAX_QUEUED_EXPORTS = 8;
/** Past this in line, too little of API Gateway's 30 s would be left to read and answer the page. */
export const MAX_EXPORT_WAIT_MS = 10_000;
/** What a refused client is told to wait: about one page's read. */
export const EXPORT_RETRY_AFTER_SECONDS = 2;

export function createExportGate(): ConcurrencyGate {
  return createConcurrencyGate({
    capacity: EXPORT_ROWS_IN_FLIGHT,
    maxQueued: MAX_QUEUED_EXPORTS,
    maxWaitMs: MAX_EXPORT_WAIT_MS,
  });
}

/** Runs one export page of `limit` rows through the gate; a refusal is an UnavailableError with when to retry. */
export async function runExport<T>(gate: ConcurrencyGate, limit: number, read: () => Promise<T>): Promise<T> {
  try {
    return await gate.run(limit, read);
  } catch (error) {
    if (!(error instanceof GateRefusedError)) throw error;
    throw new UnavailableError(
      `Too many exports in progress on this instance (${error.message}); retry in ${EXPORT_RETRY_AFTER_SECONDS} s`,
      EXPORT_RETRY_AFTER_SECONDS,
    );
  }
}
