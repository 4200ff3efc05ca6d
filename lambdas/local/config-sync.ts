/**
 * The config sync on one machine, through the same code as across accounts: the control plane's
 * changes are signed by the sync publisher into the data plane's inbox (a LocalQueue standing in
 * for SQS), and a queue poller drives the data-plane controller, which writes API keys to the data
 * plane's key registry (the one its authenticators read). The inbox is a FIFO LocalQueue, as on
 * AWS: the publisher sends to one group per data plane, deduplicated by seq. The other way, the data plane sends a
 * registration at start and a heartbeat every 30 seconds over a second local queue; the control
 * plane's receiver keeps the newest per data plane, and `reconcile` compares with its digest.
 */
import { createPublicKey } from 'node:crypto';
import { LocalQueue } from '../adapters/local/local-queue';
import { startQueuePoller } from '../adapters/local/local-queue-poller';
import { createDataPlaneController } from '../data-plane-controller/app';
import type { ChangePublisher } from '../domain/control-plane/changes';
import type { KeyRegistry } from '../domain/ports';
import { digest } from '../domain/sync/digest';
import { createEcdsaVerifier } from '../domain/sync/ecdsa';
import { type HeartbeatStore, MemoryHeartbeatStore, reportedStateOf } from '../domain/sync/heartbeat-store';
import { MemoryAppliedState, MemoryConfigStore } from '../domain/sync/memory-stores';
import type { EntityChange, ReconciliationPlan } from '../domain/sync/publisher';
import type { RegistrationFields } from '../domain/sync/registration';
import type { ConfigStore } from '../domain/sync/stores';
import { createHeartbeatReceiver } from '../heartbeat-receiver/app';
import { createHeartbeatSender } from '../heartbeat-sender/app';
import { privateKeyOf } from './control-plane-files';
import { createLocalSyncPublisher, LOCAL_SYNC_KEY_ID } from './local-sync-publisher';

interface LocalConfigSyncOptions {
  inboxDir: string;
  dataPlaneId: string;
  keyRegistry: KeyRegistry;
  /** PKCS#8 PEM of the control plane's sync key. */
  syncKeyPem: string;
  /** The controller's batching window; none by default, as on AWS (FIFO event sources have none). */
  maximumBatchingWindowMs?: number;
  log?: (line: string) => void;
  /** How often the data plane sends a heartbeat (30 s by default); one registration goes at start. */
  heartbeatIntervalMs?: number;
  /** Where the local data plane says it lives (its registration). */
  location?: Partial<RegistrationFields>;
  /** Messages waiting in the local events queue, reported as queueDepth. */
  eventsQueueDepth?: () => number;
}

export interface LocalConfigSync {
  /** The control plane's ChangePublisher: resolves once the signed message is in the inbox. */
  changes: ChangePublisher;
  /** The data plane's synced copy of projects, configurations, tools...: what its readers read. */
  configStore: ConfigStore;
  /** A project id's name, as the data plane last heard it (for tokens, which carry ids only). */
  projectName(projectId: string): Promise<string | undefined>;
  /** The control plane's copy of each data plane's newest heartbeat and registration. */
  heartbeats: HeartbeatStore;
  /** Sends a heartbeat now and waits until the control plane has stored it. */
  heartbeatNow(): Promise<void>;
  /**
   * Republishes what the data plane's last heartbeat shows it lacks (everything if it never reported).
   * `refill` says the data plane reported holding nothing: it just started (its applied state is in
   * memory), so resending everything is expected, not drift.
   */
  reconcile(desired: readonly EntityChange[]): Promise<ReconciliationPlan & { refill: boolean }>;
  close(): Promise<void>;
}

export async function startLocalConfigSync(options: LocalConfigSyncOptions): Promise<LocalConfigSync> {
  const log = options.log ?? (() => {});
  // FIFO like the AWS inbox: one group, so the controller gets one batch at a time, in order.
  const inbox = await LocalQueue.open(options.inboxDir, { name: 'waggle-data-plane-inbox.fifo', fifo: true });
  const { publisher, changes } = createLocalSyncPublisher({
    inbox,
    dataPlaneId: options.dataPlaneId,
    syncKeyPem: options.syncKeyPem,
  });

  const configStore = new MemoryConfigStore();
  const appliedState = new MemoryAppliedState();
  let errors = 0;
  const controller = createDataPlaneController({
    dataPlaneId: options.dataPlaneId,
    verifier: createEcdsaVerifier(
      new Map([[LOCAL_SYNC_KEY_ID, createPublicKey(privateKeyOf(options.syncKeyPem))]]),
    ),
    keyRegistry: options.keyRegistry,
    configStore,
    appliedState,
    onRejected: ({ messageId, reason }) => log(`sync: rejected ${messageId}: ${reason}`),
    onFailure: ({ messageId, error }) => {
      errors++;
      log(`sync: ${messageId} failed: ${(error as Error).message}`);
    },
  });
  const poller = startQueuePoller(inbox, controller, {
    batchSize: 10,
    maximumBatchingWindowMs: options.maximumBatchingWindowMs ?? 0,
    visibilityTimeoutMs: 30_000,
    idlePollMs: 250,
    log,
  });

  // Data plane -> control plane: reports over their own local queue, consumed by the CP receiver.
  const heartbeatQueueName = `waggle-${options.dataPlaneId}-heartbeats`;
  const heartbeatQueue = await LocalQueue.open(`${options.inboxDir}-heartbeats`, {
    name: heartbeatQueueName,
  });
  const heartbeats = new MemoryHeartbeatStore();
  const heartbeatPoller = startQueuePoller(
    heartbeatQueue,
    createHeartbeatReceiver({
      store: heartbeats,
      queues: new Map([[heartbeatQueueName, options.dataPlaneId]]),
      onRefused: ({ messageId, reason }) => log(`heartbeat: refused ${messageId}: ${reason}`),
    }),
    { batchSize: 10, visibilityTimeoutMs: 30_000, idlePollMs: 250, log },
  );
  let reportedRejections = 0;
  const sendReport = createHeartbeatSender({
    dataPlaneId: options.dataPlaneId,
    location: {
      account: '000000000000',
      region: 'local-dev-1',
      endpoint: 'http://localhost:4318/',
      hostingModel: 'self-hosted',
      ...options.location,
    },
    appliedState,
    async health() {
      const stats = controller.sync.stats();
      // Errors since the previous report: failed applies and rejected messages.
      const failures = errors + stats.rejected - reportedRejections;
      errors = 0;
      reportedRejections = stats.rejected;
      return {
        queueDepth: options.eventsQueueDepth?.() ?? 0,
        errors: failures,
        // Recorded by the controller, as in AWS.
        lagMs: await appliedState.lastLagMs(),
      };
    },
    send: (body) => heartbeatQueue.sendBatch([{ id: 'heartbeat', body }]),
  });
  const sendQuietly = (kind: 'heartbeat' | 'registration') =>
    sendReport(kind).catch((error: unknown) => log(`heartbeat: not sent: ${(error as Error).message}`));
  void sendQuietly('registration');
  const heartbeatTimer = setInterval(
    () => void sendQuietly('heartbeat'),
    options.heartbeatIntervalMs ?? 30_000,
  );
  heartbeatTimer.unref();

  async function heartbeatNow(): Promise<void> {
    const report = await sendReport('heartbeat');
    // The receiver stores it asynchronously (the poller); wait until it has.
    for (let tries = 0; tries < 200; tries++) {
      const stored = await heartbeats.latest(options.dataPlaneId);
      if (stored && stored.sentAt >= report.sentAt) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('heartbeat was not stored within 5 seconds');
  }

  return {
    changes,
    configStore,
    async projectName(projectId) {
      const entry = await configStore.get('project', projectId);
      const name = entry && !entry.deleted ? entry.payload.name : undefined;
      return typeof name === 'string' ? name : undefined;
    },
    heartbeats,
    heartbeatNow,
    async reconcile(desired) {
      const reported = reportedStateOf(await heartbeats.latest(options.dataPlaneId)) ?? { digest: {} };
      const refill =
        JSON.stringify(reported.digest) === JSON.stringify(digest([])) ||
        Object.keys(reported.digest).length === 0;
      return { ...(await publisher.reconcile(options.dataPlaneId, desired, reported)), refill };
    },
    async close() {
      clearInterval(heartbeatTimer);
      await Promise.all([poller.stop(), heartbeatPoller.stop()]);
    },
  };
}
