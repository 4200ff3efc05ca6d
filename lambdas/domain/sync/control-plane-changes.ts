/**
 * Connects the control plane's ChangePublisher (lambdas/domain/control-plane/changes.ts) to the
 * sync: each change becomes an EntityChange (API keys are identified by their hash, everything
 * else by its id) and is published to every data plane that should hold it.
 */
import type { ChangePublisher, ConfigChange } from '../control-plane/changes';
import type { JsonObject } from './canonical-json';
import type { EntityChange, SyncPublisher } from './publisher';

export function entityChangeOf(change: ConfigChange): EntityChange {
  const entityId = 'keyHash' in change.payload ? change.payload.keyHash : change.payload.id;
  // A JSON round trip drops undefined optionals, which canonical JSON (rightly) refuses.
  const payload = JSON.parse(JSON.stringify(change.payload)) as JsonObject;
  return { kind: change.type, entityId, entityVersion: change.version, payload };
}

interface SyncChangePublisherDeps {
  publisher: SyncPublisher;
  /** The registered data planes that hold the change's organization (all of them for a shared plane). */
  dataPlanesFor(change: ConfigChange): Promise<readonly string[]>;
}

export function createSyncChangePublisher(deps: SyncChangePublisherDeps): ChangePublisher {
  return {
    async publish(change) {
      const entity = entityChangeOf(change);
      const dataPlanes = await deps.dataPlanesFor(change);
      // Every plane is tried even when one fails; the failed ones converge at the next reconciliation.
      const results = await Promise.allSettled(dataPlanes.map((id) => deps.publisher.publish(id, [entity])));
      const failures = results
        .filter((result) => result.status === 'rejected')
        .map((result) => result.reason);
      if (failures.length > 0)
        throw new AggregateError(failures, `sync to ${failures.length} data plane(s) failed`);
    },
  };
}
