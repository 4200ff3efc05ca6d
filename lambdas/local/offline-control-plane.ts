/**
 * Makes a key of a control-plane project while the local platform is stopped: the same domain call
 * the API makes (createKey), on the control plane's store in the data folder's dynalite, published
 * signed into the data plane's inbox. The next `npm start` applies it to the key registry, as it
 * would a change the running control plane made.
 */
import { join } from 'node:path';
import { DynamoControlPlaneStore } from '../adapters/aws/control-plane-store';
import { LocalQueue } from '../adapters/local/local-queue';
import type { ApiKeyScope } from '../domain/auth/principal';
import { createKey } from '../domain/control-plane/api-keys';
import { controlPlaneContext } from '../domain/control-plane/context';
import { type CreatedKey, type ProjectSummary, pickProject } from './control-plane-client';
import { FileUserStore, loadKeys } from './control-plane-files';
import { ensureControlPlaneTable, LOCAL_CONTROL_PLANE_TABLE } from './control-plane-table';
import { startLocalDynamo } from './dynamo-local';
import { createLocalSyncPublisher } from './local-sync-publisher';
import { localPaths } from './paths';

interface OfflineKeyRequest {
  dataDir: string;
  /** The local admin (local.json controlPlane.email) and its organization (controlPlane.org_id). */
  adminEmail: string;
  orgId: string;
  /** The data plane the inbox belongs to ("local"). */
  dataPlaneId: string;
  project: string;
  scopes: readonly ApiKeyScope[];
}

export async function createKeyOffline(
  request: OfflineKeyRequest,
): Promise<{ created: CreatedKey; project: ProjectSummary }> {
  const paths = localPaths(request.dataDir);
  const keys = await loadKeys(join(paths.controlPlane, 'keys.json'));
  if (!keys) throw new Error(`${paths.controlPlane} has no keys.json: start the platform once (npm start)`);
  const admin = await (await FileUserStore.open(join(paths.controlPlane, 'users.json'))).findByEmail(
    request.adminEmail,
  );
  if (!admin) throw new Error(`no local user ${request.adminEmail} in ${paths.controlPlane}/users.json`);

  // Fails with a clear message when a running platform holds the folder.
  const dynamo = await startLocalDynamo(paths.dynamodb);
  try {
    await ensureControlPlaneTable(dynamo.client);
    const store = new DynamoControlPlaneStore(dynamo.client, LOCAL_CONTROL_PLANE_TABLE);
    const project = pickProject(await store.listByOrg('project', request.orgId), request.project);
    const inbox = await LocalQueue.open(paths.dataPlaneInbox, {
      name: 'waggle-data-plane-inbox.fifo',
      fifo: true,
    });
    const { changes } = createLocalSyncPublisher({
      inbox,
      dataPlaneId: request.dataPlaneId,
      syncKeyPem: keys.sync,
    });
    const issued = await createKey(controlPlaneContext({ store, changes }), project, {
      scopes: [...request.scopes],
      created_by: admin.id,
    });
    return {
      created: {
        key: issued.key,
        id: issued.record.id,
        project_id: project.id,
        prefix: issued.record.prefix,
        scopes: issued.record.scopes,
      },
      project,
    };
  } finally {
    await dynamo.stop();
  }
}
