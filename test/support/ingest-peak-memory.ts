/**
 * Measures the ingest handler's peak memory on one request in a fresh Node process
 * (ingest-peak-memory-child.ts), so neither the test runner's nor the benchmark's own heap is counted.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The API key the child process registers; events sent to it must carry it. */
export const PEAK_MEMORY_KEY = 'wgl_peak-memory-key';

export interface PeakMemoryReport {
  status: number;
  /** The answer's body (at most 500 characters). */
  body: string;
  queuedMessages: number;
  /** Resident memory once the process is loaded and holds the event, before the handler runs. */
  rssBeforeBytes: number;
  /** The process's resident high-water mark (process.resourceUsage().maxRSS). */
  maxRssBytes: number;
  elapsedMs: number;
}

const CHILD = fileURLToPath(new URL('./ingest-peak-memory-child.ts', import.meta.url));

export function measureIngestPeakMemory(event: APIGatewayProxyEventV2): Promise<PeakMemoryReport> {
  return new Promise((resolve, reject) => {
    // process.execPath is the Node that runs the caller (Node 24 under the npm scripts).
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`peak-memory child exited with ${code}: ${stderr.slice(0, 2000)}`));
        return;
      }
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as PeakMemoryReport);
    });
    child.stdin.end(JSON.stringify(event));
  });
}
