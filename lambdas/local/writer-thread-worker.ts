/**
 * The writer thread's side (writer-thread.ts): the same writer handler the platform ran in-process,
 * over its own file stores and dynalite client, asking the main thread for the latest stored
 * versions of events and telling it which events were stored.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DynamoPendingUpdates } from '../adapters/aws/dynamo-pending-updates';
import { FileObjectStore } from '../adapters/local/file-object-store';
import type { WaggleEvent } from '../domain/events/event';
import type { EventWithRefs } from '../domain/store/full-sections';
import { createWriterHandler } from '../writer/app';
import { localDynamoClient } from './dynamo-local';
import type { FromWriterThread, ToWriterThread, WriterThreadData } from './writer-thread';

const port = parentPort;
if (!port) throw new Error('writer-thread-worker.ts runs as a worker thread (see writer-thread.ts)');
const data = workerData as WriterThreadData;
const post = (message: FromWriterThread) => port.postMessage(message);

let nextId = 0;
const lookups = new Map<
  number,
  { resolve: (found: Map<string, EventWithRefs>) => void; reject: (error: Error) => void }
>();
const storedAcks = new Map<number, () => void>();

const dynamo = localDynamoClient(data.dynamoEndpoint);
const rawArchive = new FileObjectStore(data.rawArchiveDir);
const handler = createWriterHandler({
  store: new FileObjectStore(data.eventStoreDir),
  overflowStore: rawArchive,
  rawArchive,
  pendingUpdates: new DynamoPendingUpdates(dynamo, data.pendingUpdatesTable),
  lookupLatest: (tenant, eventIds) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      lookups.set(id, { resolve, reject });
      post({ type: 'lookup', id, tenant, eventIds });
    }),
  onEventsStored: (events: WaggleEvent[]) =>
    new Promise<void>((resolve) => {
      const id = nextId++;
      storedAcks.set(id, resolve);
      post({ type: 'stored', id, events });
    }),
  onWritten: (summary) => post({ type: 'written', summary }),
  // Errors cross the thread as plain Errors (their classes stay here); the log wants the message.
  onFailure: (failure) =>
    post({ type: 'failure', failure: { ...failure, error: plainError(failure.error) } }),
});

port.on('message', (message: ToWriterThread) => {
  switch (message.type) {
    case 'batch':
      handler(message.event).then(
        (response) => post({ type: 'batch-result', id: message.id, response }),
        (error: unknown) => post({ type: 'batch-result', id: message.id, error: plainError(error).message }),
      );
      return;
    case 'lookup-result': {
      const waiter = lookups.get(message.id);
      lookups.delete(message.id);
      if (message.found) waiter?.resolve(message.found);
      else waiter?.reject(new Error(message.error ?? 'the lookup failed'));
      return;
    }
    case 'stored-done':
      storedAcks.get(message.id)?.();
      storedAcks.delete(message.id);
      return;
    case 'close':
      dynamo.destroy();
      port.close();
      return;
    default:
      return;
  }
});
post({ type: 'ready' });

function plainError(error: unknown): Error {
  return new Error(error instanceof Error ? error.message : String(error));
}
