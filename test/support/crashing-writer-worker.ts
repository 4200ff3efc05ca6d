/**
 * A stand-in for the writer thread's module (lambdas/local/writer-thread-worker.ts) that crashes on
 * its first batch ever (the marker file workerData.eventStoreDir/crashed does not exist yet) and
 * answers every later batch with no failures, for the test of the writer thread's restart.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWriterThread, ToWriterThread, WriterThreadData } from '../../lambdas/local/writer-thread';

const port = parentPort;
if (!port) throw new Error('runs as a worker thread');
const marker = join((workerData as WriterThreadData).eventStoreDir, 'crashed');
const post = (message: FromWriterThread) => port.postMessage(message);

port.on('message', (message: ToWriterThread) => {
  if (message.type === 'close') {
    port.close();
    return;
  }
  if (message.type !== 'batch') return;
  if (!existsSync(marker)) {
    writeFileSync(marker, 'crashed once');
    process.exit(3);
  }
  post({ type: 'batch-result', id: message.id, response: { batchItemFailures: [] } });
});
post({ type: 'ready' });
