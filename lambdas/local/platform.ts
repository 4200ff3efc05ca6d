/**
 * The local data plane: the ingest handler behind the local HTTP API server, with files for S3,
 * the durable local queue for SQS and embedded dynalite for DynamoDB, all under one data folder.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { DynamoKeyRegistry } from '../adapters/aws/dynamo-key-registry';
import { FileObjectStore } from '../adapters/local/file-object-store';
import { LocalQueue } from '../adapters/local/local-queue';
import { generateApiKey, hashApiKey } from '../domain/auth/api-key';
import { API_KEY_SCOPES, type ApiKeyRecord } from '../domain/auth/principal';
import { createIngestHandler, INGEST_ROUTES } from '../ingest/app';
import { ensureKeyTable, LOCAL_KEY_TABLE, startLocalDynamo } from './dynamo-local';
import { startHttpServer } from './http-server';
import { localPaths } from './paths';

export { localPaths } from './paths';

export const LOCAL_TENANT = { org_id: 'local', workspace_id: 'local' } as const;
/** Receives before a poison message moves to the dead-letter queue (as the CDK stack configures). */
const EVENTS_MAX_RECEIVE_COUNT = 5;

export interface LocalPlatformOptions {
  port?: number;
  host?: string;
  dataDir: string;
  projectName?: string;
  apiKey?: string;
  log?: (line: string) => void;
}

export interface LocalPlatformInfo {
  apiKey: string;
  project: string;
  url: string;
  endpoints: { otlpTraces: string; honeyhive: string; health: string };
  dataDir: string;
}

export interface LocalPlatform {
  url: string;
  apiKey: string;
  dataDir: string;
  eventsQueue: LocalQueue;
  eventsDeadLetterQueue: LocalQueue;
  rawArchive: FileObjectStore;
  close(): Promise<void>;
}

export async function startLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const log = options.log ?? (() => {});
  const paths = localPaths(options.dataDir);
  const projectName = options.projectName ?? 'default';
  await mkdir(paths.root, { recursive: true });

  const dynamo = await startLocalDynamo(paths.dynamodb);
  const cleanup: (() => Promise<void>)[] = [() => dynamo.stop()];
  try {
    await ensureKeyTable(dynamo.client, LOCAL_KEY_TABLE);
    const keys = new DynamoKeyRegistry(dynamo.client, LOCAL_KEY_TABLE);
    const apiKey = options.apiKey ?? (await savedApiKey(paths.info)) ?? generateApiKey();
    await registerLocalKey(keys, apiKey, projectName);

    const rawArchive = new FileObjectStore(paths.rawArchive);
    const eventsDeadLetterQueue = await LocalQueue.open(paths.eventsDeadLetterQueue, {
      name: 'waggle-events-dlq',
    });
    const eventsQueue = await LocalQueue.open(paths.eventsQueue, {
      name: 'waggle-events',
      redrive: { deadLetterQueue: eventsDeadLetterQueue, maxReceiveCount: EVENTS_MAX_RECEIVE_COUNT },
    });
    const handler = createIngestHandler({
      keys,
      rawArchive,
      // Overflow objects share the raw-archive bucket, as on AWS.
      overflowStore: rawArchive,
      eventsQueue,
      onError: (error, context) =>
        log(
          `ingest: ${context.routeKey} answered ${context.status}: ${error instanceof Error ? error.message : String(error)}`,
        ),
    });
    const server = await startHttpServer({
      port: options.port ?? 4318,
      host: options.host ?? '127.0.0.1',
      routes: INGEST_ROUTES,
      handler,
      functionName: 'waggle-ingest',
      log,
    });
    cleanup.unshift(() => server.close());

    const info: LocalPlatformInfo = {
      apiKey,
      project: projectName,
      url: server.url,
      endpoints: {
        otlpTraces: `${server.url}/v1/traces`,
        honeyhive: server.url,
        health: `${server.url}/healthz`,
      },
      dataDir: paths.root,
    };
    // The file holds the key in clear text: keep it readable by its owner only.
    await writeFile(paths.info, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });

    let closed: Promise<void> | undefined;
    return {
      url: server.url,
      apiKey,
      dataDir: paths.root,
      eventsQueue,
      eventsDeadLetterQueue,
      rawArchive,
      close() {
        // HTTP first (drains in-flight requests, which still need the queue and the registry).
        closed ??= runInOrder(cleanup);
        return closed;
      },
    };
  } catch (error) {
    await runInOrder(cleanup).catch(() => undefined);
    throw error;
  }
}

async function registerLocalKey(keys: DynamoKeyRegistry, apiKey: string, projectName: string): Promise<void> {
  const keyHash = hashApiKey(apiKey);
  const existing = await keys.findByHash(keyHash);
  const record: ApiKeyRecord = {
    keyHash,
    ...LOCAL_TENANT,
    project_id: projectName,
    projectName,
    scopes: [...API_KEY_SCOPES],
    revoked: false,
    createdAt: existing?.createdAt ?? Date.now(),
  };
  await keys.put(record);
}

async function savedApiKey(infoPath: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(infoPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const saved = JSON.parse(text) as Partial<LocalPlatformInfo>;
    return typeof saved.apiKey === 'string' && saved.apiKey.length > 0 ? saved.apiKey : undefined;
  } catch {
    throw new Error(`${infoPath} is not valid JSON; fix or delete it (a new API key is then created)`);
  }
}

async function runInOrder(steps: (() => Promise<void>)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'local platform did not stop cleanly');
}
