/** Shared set-up for the sync tests: a control-plane key, a data plane's stores and its controller. */
import { createHash } from 'node:crypto';
import type { JsonObject } from '../../../lambdas/domain/sync/canonical-json';
import { createSyncController, type SyncController } from '../../../lambdas/domain/sync/controller';
import {
  createEcdsaSigner,
  createEcdsaVerifier,
  generateSyncKeyPair,
} from '../../../lambdas/domain/sync/ecdsa';
import { MemoryAppliedState, MemoryConfigStore } from '../../../lambdas/domain/sync/memory-stores';
import type { SyncKind, SyncMessage } from '../../../lambdas/domain/sync/messages';
import type { EntityChange } from '../../../lambdas/domain/sync/publisher';
import { type MessageSigner, signSyncMessage } from '../../../lambdas/domain/sync/signing';
import { MemoryKeyRegistry } from '../../support/memory-ports';

export const NOW = Date.UTC(2026, 0, 1);
export const DATA_PLANE = 'dp-eu-1';
export const controlPlaneKey = generateSyncKeyPair();
export const signer = createEcdsaSigner(controlPlaneKey.privateKey, 'cp-key-1');
export const verifier = createEcdsaVerifier(new Map([['cp-key-1', controlPlaneKey.publicKey]]));

export function keyHash(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

export function apiKeyPayload(hash: string, overrides: Partial<JsonObject> = {}): JsonObject {
  return {
    keyHash: hash,
    org_id: 'org-1',
    workspace_id: 'ws-1',
    project_id: 'proj-1',
    projectName: 'Project One',
    scopes: ['ingest', 'read'],
    createdAt: NOW - 1000,
    ...overrides,
  };
}

export function change(
  kind: SyncKind,
  entityId: string,
  entityVersion: number,
  payload: JsonObject = {},
): EntityChange {
  return { kind, entityId, entityVersion, payload };
}

export function keyChange(
  kind: 'api-key.upserted' | 'api-key.revoked',
  name: string,
  version: number,
): EntityChange {
  const hash = keyHash(name);
  return change(kind, hash, version, apiKeyPayload(hash));
}

let nextSeq = 1;

/** A signed inbox body for the change, addressed to DATA_PLANE unless told otherwise. */
export async function body(
  entity: EntityChange,
  options: { seq?: number; dataPlaneId?: string; issuedAt?: number; signer?: MessageSigner } = {},
): Promise<string> {
  const message: SyncMessage = {
    v: 1,
    dataPlaneId: options.dataPlaneId ?? DATA_PLANE,
    seq: options.seq ?? nextSeq++,
    issuedAt: options.issuedAt ?? NOW,
    ...entity,
  };
  return JSON.stringify(await signSyncMessage(message, options.signer ?? signer));
}

export interface World {
  registry: MemoryKeyRegistry;
  configStore: MemoryConfigStore;
  appliedState: MemoryAppliedState;
  controller: SyncController;
}

export function dataPlane(options: { clock?: () => number } = {}): World {
  const registry = new MemoryKeyRegistry();
  const configStore = new MemoryConfigStore();
  const appliedState = new MemoryAppliedState();
  const controller = createSyncController({
    dataPlaneId: DATA_PLANE,
    verifier,
    keyRegistry: registry,
    configStore,
    appliedState,
    clock: options.clock ?? (() => NOW),
  });
  return { registry, configStore, appliedState, controller };
}

/** Everything a data plane holds, as plain sorted data (seq watermark excluded: it is not state). */
export async function snapshot(world: World): Promise<unknown> {
  return {
    keys: [...world.registry.records.values()].sort((a, b) => (a.keyHash < b.keyHash ? -1 : 1)),
    config: world.configStore.snapshot(),
    inventory: (await world.appliedState.inventory()).sort((a, b) =>
      `${a.kind}/${a.entityId}` < `${b.kind}/${b.entityId}` ? -1 : 1,
    ),
  };
}
