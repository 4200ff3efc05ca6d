/** The ingest handler over in-memory stores, with one registered API key: for handler-level tests. */
import { hashApiKey } from '../../lambdas/domain/auth/api-key';
import { createIngestHandler, type IngestHandler } from '../../lambdas/ingest/app';
import { MemoryKeyRegistry, MemoryObjectStore, MemoryQueue } from './memory-ports';

interface MemoryIngest {
  handler: IngestHandler;
  archive: MemoryObjectStore;
  queue: MemoryQueue;
}

interface IngestProject {
  org_id: string;
  workspace_id: string;
  project_id: string;
  projectName: string;
}

const PROJECT_1: IngestProject = {
  org_id: 'org-1',
  workspace_id: 'ws-1',
  project_id: 'proj-1',
  projectName: 'proj',
};

/** `key` is registered for `project` (proj-1 unless given) with the ingest scope. */
export async function memoryIngest(key: string, project: IngestProject = PROJECT_1): Promise<MemoryIngest> {
  const keys = new MemoryKeyRegistry();
  await keys.put({
    keyHash: hashApiKey(key),
    ...project,
    scopes: ['ingest'],
    revoked: false,
    createdAt: 0,
  });
  const archive = new MemoryObjectStore();
  const queue = new MemoryQueue();
  const handler = createIngestHandler({
    keys,
    rawArchive: archive,
    overflowStore: archive,
    eventsQueue: queue,
  });
  return { handler, archive, queue };
}
