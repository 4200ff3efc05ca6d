/**
 * npm run dead-letters -- list   [filters] (--local [--data-dir .data] | --bucket <event store> --overflow-bucket <raw archive> [--region r])
 * npm run dead-letters -- replay [filters] (--local [--data-dir .data] | --bucket ... --overflow-bucket ... --queue-url <events queue>) [--dry-run]
 *
 * filters: --project <project id>  --reason <resolve|encode|receives-exhausted|unrecorded>
 *          --from <YYYY-MM-DD> --to <YYYY-MM-DD>  --all (include messages already replayed)
 *
 * Lists the dead-letter archive by reason and project, and puts archived messages back on the
 * events queue with their original event ids (see docs/operations.md).
 */
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { S3ObjectStore } from '../lambdas/adapters/aws/s3-object-store';
import { SqsMessageQueue } from '../lambdas/adapters/aws/sqs-message-queue';
import { FileObjectStore } from '../lambdas/adapters/local/file-object-store';
import { LocalQueue } from '../lambdas/adapters/local/local-queue';
import {
  type DeadLetterFilter,
  readDeadLetters,
  replayDeadLetters,
  summarizeDeadLetters,
} from '../lambdas/domain/ingest/dead-letters';
import type { MessageQueue, ObjectStore } from '../lambdas/domain/ports';
import { localDataPaths, type OptionValues, regionConfig, STORE_OPTIONS } from './archive-tool-options';

const USAGE = `usage: npm run dead-letters -- list|replay
         [--project <project id>] [--reason <resolve|encode|receives-exhausted|unrecorded>]
         [--from <YYYY-MM-DD>] [--to <YYYY-MM-DD>] [--all]
         (--local [--data-dir .data] | --bucket <event store bucket> --overflow-bucket <raw archive bucket> [--region <region>])
         replay only: [--queue-url <events queue url>] [--dry-run]`;

function fail(message: string): never {
  console.error(`dead-letters: ${message}\n${USAGE}`);
  process.exit(2);
}

interface Stores {
  store: ObjectStore;
  overflowStore: ObjectStore;
  eventsQueue?: () => Promise<MessageQueue>;
  where: string;
}

function stores(values: OptionValues): Stores {
  if (values.local) {
    const paths = localDataPaths(values);
    return {
      store: new FileObjectStore(paths.eventStore),
      overflowStore: new FileObjectStore(paths.rawArchive),
      // A running platform picks up messages another process adds to its queue folder.
      eventsQueue: () => LocalQueue.open(paths.eventsQueue),
      where: paths.eventStore,
    };
  }
  const bucket = values.bucket as string | undefined;
  const overflowBucket = values['overflow-bucket'] as string | undefined;
  if (!bucket || !overflowBucket) fail('give --local, or --bucket and --overflow-bucket');
  const s3 = new S3Client(regionConfig(values));
  const queueUrl = values['queue-url'] as string | undefined;
  return {
    store: new S3ObjectStore(s3, bucket),
    overflowStore: new S3ObjectStore(s3, overflowBucket),
    eventsQueue: queueUrl
      ? async () => new SqsMessageQueue(new SQSClient(regionConfig(values)), queueUrl)
      : undefined,
    where: `s3://${bucket}`,
  };
}

async function main(): Promise<void> {
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        project: { type: 'string' },
        reason: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        all: { type: 'boolean' },
        'overflow-bucket': { type: 'string' },
        ...STORE_OPTIONS,
      },
      strict: true,
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (command !== 'list' && command !== 'replay') fail('say list or replay');
  const filter: DeadLetterFilter = {
    projectId: values.project as string | undefined,
    reason: values.reason as string | undefined,
    fromDay: values.from as string | undefined,
    toDay: values.to as string | undefined,
    includeReplayed: Boolean(values.all) || command === 'list',
  };
  const target = stores(values);
  console.log(`dead-letters: reading ${target.where}/dead-letters/`);
  const entries = await readDeadLetters(target.store, target.overflowStore, filter);

  if (command === 'list') {
    const rows = summarizeDeadLetters(entries);
    if (rows.length === 0) {
      console.log('dead-letters: none');
      return;
    }
    console.table(
      rows.map((row) => ({
        reason: row.reason,
        project: row.project,
        messages: row.messages,
        records: row.records,
        replayed: row.replayed,
        example: row.example.slice(0, 100),
      })),
    );
    return;
  }

  if (!target.eventsQueue) fail('replay needs --queue-url (or --local)');
  const dryRun = Boolean(values['dry-run']);
  console.log(`dead-letters: ${entries.length} message(s) to replay${dryRun ? ' (dry run)' : ''}`);
  const outcomes = await replayDeadLetters(entries, {
    store: target.store,
    overflowStore: target.overflowStore,
    eventsQueue: await target.eventsQueue(),
    dryRun,
    onOutcome: (outcome) =>
      console.log(
        outcome.notSent
          ? `  NOT SENT ${outcome.key}: ${outcome.notSent}`
          : `  ${outcome.key}: ${dryRun ? 'would queue' : `${outcome.queued} record(s) queued`}` +
              (outcome.droppedValues > 0 ? `, ${outcome.droppedValues} unstorable value(s) dropped` : ''),
      ),
  });
  const notSent = outcomes.filter((outcome) => outcome.notSent !== undefined).length;
  const queued = outcomes.reduce((sum, outcome) => sum + outcome.queued, 0);
  console.log(
    `dead-letters: ${outcomes.length - notSent} message(s) ${dryRun ? 'ready' : `replayed (${queued} record(s))`}, ${notSent} not sent`,
  );
  if (notSent > 0) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(`dead-letters: ${(error as Error).message}`);
  process.exit(1);
});
