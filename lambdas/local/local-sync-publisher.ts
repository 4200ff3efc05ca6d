/**
 * The control plane's side of the local config sync: changes signed with the local sync key into
 * the data plane's inbox folder. The running control plane and `npm run keys` (platform stopped)
 * both publish this way, so a key made either way reaches the registry through the same controller.
 */
import type { LocalQueue } from '../adapters/local/local-queue';
import type { ChangePublisher } from '../domain/control-plane/changes';
import { createSyncChangePublisher } from '../domain/sync/control-plane-changes';
import { createEcdsaSigner } from '../domain/sync/ecdsa';
import { createSyncPublisher } from '../domain/sync/publisher';
import { privateKeyOf } from './control-plane-files';

export const LOCAL_SYNC_KEY_ID = 'local-sync-1';
/** The `aud` of control-plane tokens for the local data plane, and its id in the sync. */
export const LOCAL_DATA_PLANE_ID = 'local';

export function createLocalSyncPublisher(options: {
  inbox: LocalQueue;
  dataPlaneId: string;
  syncKeyPem: string;
}) {
  // seq is a watermark, not an ordering key; starting from the clock keeps it rising across restarts.
  let seq = Date.now();
  const publisher = createSyncPublisher({
    signer: createEcdsaSigner(privateKeyOf(options.syncKeyPem), LOCAL_SYNC_KEY_ID),
    sequences: { next: async () => ++seq },
    inboxFor: (id) => (id === options.dataPlaneId ? options.inbox : undefined),
  });
  const changes: ChangePublisher = createSyncChangePublisher({
    publisher,
    dataPlanesFor: async () => [options.dataPlaneId],
  });
  return { publisher, changes };
}
