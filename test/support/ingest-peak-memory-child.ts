/**
 * Runs in its own Node process (started by measureIngestPeakMemory): reads one API Gateway event from
 * stdin, as the Lambda runtime receives it, passes it to the ingest handler once and prints, as one
 * JSON line, the answer's status and the process's peak resident memory. A process of its own keeps
 * the test runner's heap out of the figure.
 */
import { PEAK_MEMORY_KEY, type PeakMemoryReport } from './ingest-peak-memory';
import { memoryIngest } from './memory-ingest';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  // The stores keep what they are given (compressed archive object and queue messages): a little
  // more than S3 and SQS clients hold, so the figure errs on the high side.
  const { handler, queue } = await memoryIngest(PEAK_MEMORY_KEY, {
    org_id: 'org-peak',
    workspace_id: 'ws-peak',
    project_id: 'proj-peak',
    projectName: 'peak',
  });
  const event = JSON.parse(await readStdin());
  const rssBeforeBytes = process.memoryUsage.rss();
  const started = performance.now();
  const response = await handler(event);
  const elapsedMs = performance.now() - started;
  const report: PeakMemoryReport = {
    status: response.statusCode ?? 0,
    body: (response.body ?? '').slice(0, 500),
    queuedMessages: queue.messages.length,
    rssBeforeBytes,
    // maxRSS is in kibibytes: the high-water mark of the whole process, native buffers included.
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    elapsedMs,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
