/**
 * The config sync on one machine, through the same code as across accounts: the control plane's
 * changes are signed by the sync publisher into the data plane's inbox (a LocalQueue standing in
 * for SQS), and a queue poller drives the data-plane controller, which writes API keys to the data
 * plane's key registry (the one its authenticators read).
 */
import { createPublicKey } from 'node:crypto';
import { LocalQueue } from '../adapters/local/local-queue';
import { startQueuePoller } from '../adapters/local/local-queue-poller';
import { createDataPlaneController } from '../data-plane-controller/app';
import type { ChangePublisher } from '../domain/control-plane/changes';
import type { KeyRegistry } from '../domain/ports';
import { createSyncChangePublisher } from '../domain/sync/control-plane-changes';
import { createEcdsaSigner, createEcdsaVerifier } from '../domain/sync/ecdsa';
import { MemoryAppliedState, MemoryConfigStore } from '../domain/sync/memory-stores';
import { createSyncPublisher } from '../domain/sync/publisher';
import { privateKeyOf } from './control-plane-files';

const SYNC_KEY_ID = 'local-sync-1';

export interface LocalConfigSyncOptions {
  inboxDir: string;
  dataPlaneId: string;
  keyRegistry: KeyRegistry;
  /** PKCS#8 PEM of the control plane's sync key. */
  syncKeyPem: string;
  /** The controller's batching window (a few seconds at most on AWS). */
  maximumBatchingWindowMs?: number;
  log?: (line: string) => void;
}

export interface LocalConfigSync {
  /** The control plane's ChangePublisher: resolves once the signed message is in the inbox. */
  changes: ChangePublisher;
  /** A project id's name, as the data plane last heard it (for tokens, which carry ids only). */
  projectName(projectId: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function startLocalConfigSync(options: LocalConfigSyncOptions): Promise<LocalConfigSync> {
  const log = options.log ?? (() => {});
  const inbox = await LocalQueue.open(options.inboxDir, { name: 'waggle-data-plane-inbox' });
  const privateKey = privateKeyOf(options.syncKeyPem);
  // seq is a watermark, not an ordering key; starting from the clock keeps it rising across restarts.
  let seq = Date.now();
  const publisher = createSyncPublisher({
    signer: createEcdsaSigner(privateKey, SYNC_KEY_ID),
    sequences: { next: async () => ++seq },
    inboxFor: (id) => (id === options.dataPlaneId ? inbox : undefined),
  });
  const changes = createSyncChangePublisher({ publisher, dataPlanesFor: async () => [options.dataPlaneId] });

  const configStore = new MemoryConfigStore();
  const controller = createDataPlaneController({
    dataPlaneId: options.dataPlaneId,
    verifier: createEcdsaVerifier(new Map([[SYNC_KEY_ID, createPublicKey(privateKey)]])),
    keyRegistry: options.keyRegistry,
    configStore,
    appliedState: new MemoryAppliedState(),
    onRejected: ({ messageId, reason }) => log(`sync: rejected ${messageId}: ${reason}`),
    onFailure: ({ messageId, error }) => log(`sync: ${messageId} failed: ${(error as Error).message}`),
  });
  const poller = startQueuePoller(inbox, controller, {
    batchSize: 10,
    maximumBatchingWindowMs: options.maximumBatchingWindowMs ?? 200,
    visibilityTimeoutMs: 30_000,
    idlePollMs: 250,
    log,
  });

  return {
    changes,
    async projectName(projectId) {
      const entry = await configStore.get('project', projectId);
      const name = entry && !entry.deleted ? entry.payload.name : undefined;
      return typeof name === 'string' ? name : undefined;
    },
    close: () => poller.stop(),
  };
}
