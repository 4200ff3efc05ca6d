/**
 * npm run replay -- --project <project name or id> --from <time> --to <time>
 *                   (--local [--data-dir .data] | --bucket <raw archive bucket> --queue-url <url> [--region <r>])
 *                   [--dry-run]
 *
 * Re-ingests archived raw requests through the same normalizer as live traffic. The project is
 * looked up in the archive's requests of the range, by id, else by name; nothing matched is an error.
 */
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { S3ObjectStore } from '../lambdas/adapters/aws/s3-object-store';
import { SqsMessageQueue } from '../lambdas/adapters/aws/sqs-message-queue';
import { FileObjectStore } from '../lambdas/adapters/local/file-object-store';
import { LocalQueue } from '../lambdas/adapters/local/local-queue';
import { archivedProjects, matchArchivedProject } from '../lambdas/domain/ingest/archived-projects';
import { replayArchive } from '../lambdas/domain/ingest/replay';
import type { MessageQueue, ObjectStore } from '../lambdas/domain/ports';
import { localDataPaths, regionConfig, STORE_OPTIONS } from './archive-tool-options';

const USAGE = `usage: npm run replay -- --project <project name or id> --from <ISO time> --to <ISO time>
         (--local [--data-dir .data] | --bucket <raw archive bucket> --queue-url <events queue url> [--region <region>])
         [--dry-run]`;

function fail(message: string): never {
  console.error(`replay: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseTime(name: string, value: string | undefined): number {
  if (!value) fail(`--${name} is required`);
  const millis = Date.parse(value);
  if (Number.isNaN(millis))
    fail(`--${name} "${value}" is not a date/time (use ISO 8601, e.g. 2026-11-21T10:00:00Z)`);
  return millis;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        project: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        ...STORE_OPTIONS,
      },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  const project = (values.project as string | undefined)?.trim();
  if (!project) fail('--project is required');
  const from = parseTime('from', values.from as string | undefined);
  const to = parseTime('to', values.to as string | undefined);
  if (from > to) fail('--from is after --to');

  let archive: ObjectStore;
  let eventsQueue: MessageQueue;
  if (values.local) {
    // A running platform picks up messages another process adds to its queue folder.
    const paths = localDataPaths(values);
    archive = new FileObjectStore(paths.rawArchive);
    eventsQueue = await LocalQueue.open(paths.eventsQueue);
    console.log(`replay: reading ${paths.rawArchive}, queueing to ${paths.eventsQueue}`);
  } else {
    const bucket = values.bucket as string | undefined;
    const queueUrl = values['queue-url'] as string | undefined;
    if (!bucket || !queueUrl) fail('give --local, or both --bucket and --queue-url');
    archive = new S3ObjectStore(new S3Client(regionConfig(values)), bucket);
    eventsQueue = new SqsMessageQueue(new SQSClient(regionConfig(values)), queueUrl);
  }

  const match = matchArchivedProject(await archivedProjects(archive, from, to), project);
  if ('error' in match) {
    console.error(
      `replay: nothing replayed: ${match.error} (${new Date(from).toISOString()} to ${new Date(to).toISOString()})`,
    );
    process.exit(1);
  }
  const projectId = match.project_id;
  if (projectId !== project) console.log(`replay: project "${project}" is id ${projectId}`);

  const summary = await replayArchive({
    archive,
    overflowStore: archive,
    eventsQueue,
    projectId,
    from,
    to,
    dryRun: Boolean(values['dry-run']),
    onProgress: ({ key, records, error }) =>
      console.log(error ? `  FAILED ${key}: ${error}` : `  ${key}: ${records} record(s)`),
  });
  const verb = values['dry-run'] ? 'converted (dry run)' : 'queued';
  console.log(
    `replay: ${summary.requests} request(s), ${summary.records} record(s) ${verb}, ${summary.failures.length} failure(s)`,
  );
  if (summary.failures.length > 0) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(`replay: ${(error as Error).message}`);
  process.exit(1);
});
