/**
 * The ingest limits and the peak memory of the largest requests they admit, each run through the
 * handler in a fresh Node process (test/support/ingest-peak-memory.ts). Run alone with
 * `npm exec -- tsx bench/ingest-limits-bench.ts`; `npm run bench` puts the section in BENCHMARKS.md.
 */
import { fileURLToPath } from 'node:url';
import { MAX_BATCH_EVENTS, MAX_JSON_VALUES } from '../lambdas/domain/honeyhive';
import { DEFAULT_INGEST_LIMITS } from '../lambdas/domain/ingest/ingest-service';
import {
  INGEST_FUNCTION_MEMORY_MB,
  INGEST_FUNCTION_TIMEOUT_SECONDS,
} from '../lib/data-plane/ingest-function-settings';
import { measureIngestPeakMemory } from '../test/support/ingest-peak-memory';
import { largestAcceptedRequests } from '../test/support/largest-requests';

interface LargestRequestRow {
  name: string;
  decodedMiB: number;
  rssBeforeMiB: number;
  peakRssMiB: number;
  elapsedMs: number;
}

const MiB = 1024 * 1024;
/** Lambda gives one full vCPU at 1,769 MB; a smaller function gets that share of one. */
const FULL_VCPU_MB = 1769;

export async function measureLargestRequests(): Promise<LargestRequestRow[]> {
  const rows: LargestRequestRow[] = [];
  for (const request of largestAcceptedRequests()) {
    const report = await measureIngestPeakMemory(request.event);
    if (report.status !== 200) throw new Error(`${request.name}: answered ${report.status} ${report.body}`);
    rows.push({
      name: request.name,
      decodedMiB: request.decodedBytes / MiB,
      rssBeforeMiB: report.rssBeforeBytes / MiB,
      peakRssMiB: report.maxRssBytes / MiB,
      elapsedMs: report.elapsedMs,
    });
  }
  return rows;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function formatLimitsSection(rows: readonly LargestRequestRow[]): string {
  const limits = DEFAULT_INGEST_LIMITS;
  const slowdown = Math.max(1, FULL_VCPU_MB / INGEST_FUNCTION_MEMORY_MB);
  const limitRows: [string, number][] = [
    ['OTLP spans per request', limits.maxSpansPerRequest],
    ['OTLP attributes per request (nested items included)', limits.maxAttributesPerRequest],
    ['OTLP span events and links per request', limits.maxEventsAndLinksPerRequest],
    ['OTLP attributes per span, span event, link or resource', limits.maxAttributesPerSpan],
    ['OTLP events per span', limits.maxEventsPerSpan],
    ['OTLP links per span', limits.maxLinksPerSpan],
    ['OTLP/JSON values per body', limits.maxJsonValues],
    ['REST events per batch', MAX_BATCH_EVENTS],
    ['REST JSON values per body', MAX_JSON_VALUES],
    ['body bytes after gzip decoding', limits.maxDecompressedBytes],
  ];
  return `## Ingest limits and peak memory

The largest requests ingest accepts (bench/ingest-limits-bench.ts; every count at its limit at once, values as
long as the inflated-body limit allows), each sent gzip-encoded through the handler in a fresh Node process
(stores in memory). Peak = the process's maximum resident set (\`process.resourceUsage().maxRSS\`), runtime
included; the ingest function has ${fmt(INGEST_FUNCTION_MEMORY_MB)} MB and a ${INGEST_FUNCTION_TIMEOUT_SECONDS} s timeout
(lib/data-plane/ingest-function-settings.ts). Time on Lambda = time here x ${fmt(slowdown, 2)} (its share of a vCPU).

| limit | value |
|---|---:|
${limitRows.map(([name, value]) => `| ${name} | ${fmt(value)} |`).join('\n')}

| largest accepted request | MiB decoded | RSS before, MiB | peak RSS, MiB | of function memory | ms here | ms on Lambda (est.) |
|---|---:|---:|---:|---:|---:|---:|
${rows.map((r) => `| ${r.name} | ${fmt(r.decodedMiB, 1)} | ${fmt(r.rssBeforeMiB)} | ${fmt(r.peakRssMiB)} | ${fmt((100 * r.peakRssMiB) / INGEST_FUNCTION_MEMORY_MB)}% | ${fmt(r.elapsedMs)} | ${fmt(r.elapsedMs * slowdown)} |`).join('\n')}

Target: the largest accepted request peaks under half the function's memory: ${rows.every((r) => r.peakRssMiB < INGEST_FUNCTION_MEMORY_MB / 2) ? 'met' : 'NOT met'}; and finishes well inside the timeout: ${rows.every((r) => r.elapsedMs * slowdown < (INGEST_FUNCTION_TIMEOUT_SECONDS * 1000) / 2) ? 'met' : 'NOT met'}.
`;
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  measureLargestRequests()
    .then((rows) => console.log(formatLimitsSection(rows)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
