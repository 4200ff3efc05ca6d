/**
 * The local writer in a worker thread of its own. Parsing batches and encoding Parquet are the
 * heaviest JavaScript the local platform runs; on the HTTP server's thread they stall the requests
 * that arrive meanwhile (the proxy benchmark's p99 in docs/BENCHMARKS.md). On AWS the writer is its
 * own function; here it gets its own thread. The queue poller stays on the main thread (the
 * LocalQueue's receipts live there) and hands each batch over; the thread answers with the batch's
 * partial failures. The writer's stores are files and its pending updates dynalite, which the thread
 * opens itself; the latest stored version of an event (DuckDB) and the stored-events hook (online
 * evaluation) stay on the main thread and are asked for by message.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Tenant, WaggleEvent } from '../domain/events/event';
import type { EventWithRefs } from '../domain/store/full-sections';
import type { WriterDeps, WriterFailure, WriterHandler, WriterSummary } from '../writer/app';

/** What the thread needs to open its own stores. */
export interface WriterThreadData {
  eventStoreDir: string;
  rawArchiveDir: string;
  dynamoEndpoint: string;
  pendingUpdatesTable: string;
}

/** Main thread to writer thread. */
export type ToWriterThread =
  | { type: 'batch'; id: number; event: SQSEvent }
  | { type: 'lookup-result'; id: number; found?: Map<string, EventWithRefs>; error?: string }
  | { type: 'stored-done'; id: number }
  | { type: 'close' };

/** Writer thread to main thread. */
export type FromWriterThread =
  | { type: 'ready' }
  | { type: 'batch-result'; id: number; response?: SQSBatchResponse; error?: string }
  | { type: 'lookup'; id: number; tenant: Tenant; eventIds: string[] }
  | { type: 'stored'; id: number; events: WaggleEvent[] }
  | { type: 'written'; summary: WriterSummary }
  | { type: 'failure'; failure: WriterFailure };

export interface WriterThreadOptions
  extends WriterThreadData,
    Pick<WriterDeps, 'lookupLatest' | 'onEventsStored' | 'onWritten' | 'onFailure'> {
  /** The thread stopped unexpectedly (it is started again for the next batch). */
  onCrash?: (error: Error) => void;
  /** The thread's module (a file URL); writer-thread-worker.ts unless a test puts a stand-in there. */
  entry?: string;
}

export interface WriterThread {
  handler: WriterHandler;
  /** Stops the thread once its batch in hand (if any) is answered; call after the poller stopped. */
  close(): Promise<void>;
}

/** How long a closing thread may take to let go of its handles before it is terminated. */
const CLOSE_GRACE_MS = 5_000;

/** The worker's entry: a CommonJS bootstrap that loads the TypeScript worker through tsx. */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
require(workerData.tsxApi).tsImport(workerData.entry, workerData.entry).catch((error) => {
  setImmediate(() => { throw error; });
});
`;

export async function startWriterThread(options: WriterThreadOptions): Promise<WriterThread> {
  const data: WriterThreadData = {
    eventStoreDir: options.eventStoreDir,
    rawArchiveDir: options.rawArchiveDir,
    dynamoEndpoint: options.dynamoEndpoint,
    pendingUpdatesTable: options.pendingUpdatesTable,
  };
  let nextId = 0;
  const pending = new Map<
    number,
    { resolve: (response: SQSBatchResponse) => void; reject: (error: Error) => void }
  >();
  let current: Promise<Worker> | undefined;
  let closing = false;

  const spawn = (): Promise<Worker> => {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: {
        ...data,
        entry: options.entry ?? new URL('./writer-thread-worker.ts', import.meta.url).href,
        tsxApi: createRequire(import.meta.url).resolve('tsx/esm/api'),
      },
    });
    const started = new Promise<Worker>((resolve, reject) => {
      let stoppedOnce = false;
      const failed = (error: Error) => {
        if (stoppedOnce) return;
        stoppedOnce = true;
        const stopped = error instanceof Error ? error : new Error(String(error));
        reject(stopped);
        if (current === started) current = undefined;
        for (const [id, waiter] of pending) {
          pending.delete(id);
          waiter.reject(new Error(`the writer thread stopped: ${stopped.message}`));
        }
        if (!closing) options.onCrash?.(stopped);
      };
      worker.once('error', failed);
      worker.once('exit', (code) => failed(new Error(`the writer thread exited with code ${code}`)));
      worker.on('message', (message: FromWriterThread) => {
        if (message.type === 'ready') resolve(worker);
        else answer(worker, message);
      });
    });
    current = started;
    return started;
  };

  const answer = (worker: Worker, message: FromWriterThread): void => {
    switch (message.type) {
      case 'batch-result': {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.response) waiter?.resolve(message.response);
        else waiter?.reject(new Error(message.error ?? 'the writer thread failed the batch'));
        return;
      }
      case 'lookup':
        options.lookupLatest(message.tenant, message.eventIds).then(
          (found) => post(worker, { type: 'lookup-result', id: message.id, found }),
          (error: unknown) =>
            post(worker, { type: 'lookup-result', id: message.id, error: messageOf(error) }),
        );
        return;
      case 'stored': {
        const stored = options.onEventsStored?.(message.events) ?? Promise.resolve();
        // The writer's contract: this never fails a batch whose events are stored.
        stored.catch(() => undefined).then(() => post(worker, { type: 'stored-done', id: message.id }));
        return;
      }
      case 'written':
        options.onWritten?.(message.summary);
        return;
      case 'failure':
        options.onFailure?.(message.failure);
        return;
      default:
        return;
    }
  };

  await spawn();
  return {
    handler: async (event) => {
      if (closing) throw new Error('the writer thread is closed');
      const worker = await (current ?? spawn());
      const id = nextId++;
      return new Promise<SQSBatchResponse>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post(worker, { type: 'batch', id, event });
      });
    },
    async close() {
      closing = true;
      const worker = await current?.catch(() => undefined);
      if (!worker) return;
      const exited = new Promise<void>((done) => worker.once('exit', () => done()));
      post(worker, { type: 'close' });
      const stuck = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
      await exited;
      clearTimeout(stuck);
    },
  };
}

function post(worker: Worker, message: ToWriterThread): void {
  worker.postMessage(message);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
