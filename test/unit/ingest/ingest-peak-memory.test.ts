/**
 * The largest requests ingest accepts fit the ingest function: each runs through the handler in a
 * fresh Node process (so the test runner's heap is not counted), whose peak resident memory must
 * stay under half of the function's configured memory, and whose time, scaled to the CPU share
 * Lambda gives that memory, must stay inside the function's timeout (API Gateway's 29 s).
 */
import { describe, expect, it } from 'vitest';
import {
  INGEST_FUNCTION_MEMORY_MB,
  INGEST_FUNCTION_TIMEOUT_SECONDS,
} from '../../../lib/data-plane/ingest-function-settings';
import { measureIngestPeakMemory } from '../../support/ingest-peak-memory';
import { largestAcceptedRequests } from '../../support/largest-requests';

/** Lambda memory sizes are MiB. Half stays free: other allocations, GC timing, a heavier runtime. */
const MEMORY_BUDGET_BYTES = INGEST_FUNCTION_MEMORY_MB * 1024 * 1024 * 0.5;
/** Lambda gives one full vCPU at 1,769 MB; a smaller function gets that share of one. */
const LAMBDA_SLOWDOWN = Math.max(1, 1769 / INGEST_FUNCTION_MEMORY_MB);

const MiB = 1024 * 1024;

describe('peak memory of the largest accepted requests', () => {
  const requests = largestAcceptedRequests();

  it.each(requests.map((request) => [request.name, request] as const))(
    '%s: accepted within half the function memory and its timeout',
    async (_name, request) => {
      const report = await measureIngestPeakMemory(request.event);
      console.log(
        `${request.name}: ${(request.decodedBytes / MiB).toFixed(1)} MiB decoded, peak RSS ${(report.maxRssBytes / MiB).toFixed(0)} MiB (before ${(report.rssBeforeBytes / MiB).toFixed(0)} MiB), ${report.elapsedMs.toFixed(0)} ms`,
      );
      expect(report.status, report.body).toBe(200);
      expect(report.queuedMessages).toBeGreaterThan(0);
      expect(report.maxRssBytes).toBeLessThan(MEMORY_BUDGET_BYTES);
      expect(report.elapsedMs * LAMBDA_SLOWDOWN).toBeLessThan(INGEST_FUNCTION_TIMEOUT_SECONDS * 1000);
    },
    120_000,
  );
});
