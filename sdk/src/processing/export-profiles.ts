/**
 * Export settings for the two ways an application lives.
 *
 * long-running (servers, workers): spans are batched for 5 s or 512 at a time, the queue holds 4,096
 * (about 4-40 MB at 1-10 KB per span) and an export keeps retrying for up to 60 s across 6 attempts
 * (backoff 1 s doubling to 30 s, or the server's Retry-After), riding out a data-plane restart.
 *
 * serverless (AWS Lambda and similar): spans leave after 200 ms or 128 at a time so little is pending
 * when the invocation ends; the queue holds 2,048; an export gives up after 2 s (3 attempts, backoff
 * 100 ms doubling to 500 ms, 1.5 s per request) so the flush at the end of an invocation fits inside
 * a typical flush budget instead of billing the function for a struggling endpoint.
 */
import type { RetryPolicy } from './retry-policy';

export type ExportProfileName = 'long-running' | 'serverless';

export interface ExportProfile {
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMs: number;
  /** Time limit of one HTTP attempt. */
  exportTimeoutMs: number;
  retry: RetryPolicy;
}

export const EXPORT_PROFILES: Readonly<Record<ExportProfileName, Readonly<ExportProfile>>> = {
  'long-running': {
    maxQueueSize: 4_096,
    maxExportBatchSize: 512,
    scheduledDelayMs: 5_000,
    exportTimeoutMs: 10_000,
    retry: { maxAttempts: 6, initialBackoffMs: 1_000, maxBackoffMs: 30_000, deadlineMs: 60_000 },
  },
  serverless: {
    maxQueueSize: 2_048,
    maxExportBatchSize: 128,
    scheduledDelayMs: 200,
    exportTimeoutMs: 1_500,
    retry: { maxAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 500, deadlineMs: 2_000 },
  },
};
