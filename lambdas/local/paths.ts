/** Where each local stand-in keeps its data under the local platform's data folder. */
import { join, resolve } from 'node:path';

export function localPaths(dataDir: string) {
  const root = resolve(dataDir);
  return {
    root,
    /** URLs and the API key of the last start. */
    info: join(root, 'local.json'),
    /** dynalite's LevelDB (the key registry). */
    dynamodb: join(root, 'dynamodb'),
    rawArchive: join(root, 'objects', 'raw-archive'),
    /** Parquet events, tombstones, payloads and dead letters (what DuckDB reads in place). */
    eventStore: join(root, 'objects', 'event-store'),
    eventsQueue: join(root, 'queues', 'events'),
    eventsDeadLetterQueue: join(root, 'queues', 'events-dlq'),
    /** Online evaluation tasks, and those that failed every receive. */
    evaluationsQueue: join(root, 'queues', 'evaluations'),
    evaluationsDeadLetterQueue: join(root, 'queues', 'evaluations-dlq'),
    /** Backfill runs' records (the local backfill runner), and their item lists. */
    backfills: join(root, 'backfills'),
    backfillItems: join(root, 'objects', 'backfill-items'),
    /** Server-side experiments' workflow records, and their item lists and batch records. */
    experiments: join(root, 'experiments'),
    experimentItems: join(root, 'objects', 'experiment-items'),
    /** The control plane's files: private keys and local users. */
    controlPlane: join(root, 'control-plane'),
    /** The config sync's inbox (control plane -> data plane). */
    dataPlaneInbox: join(root, 'queues', 'data-plane-inbox'),
  };
}
