/**
 * A control-plane change as the sync carries it to a data plane (the envelope's numbers are
 * placeholders), so a test can hold a published payload to the data plane's strict check
 * (checkSyncMessage) without writing the envelope out.
 */
import type { ConfigChange } from '../../lambdas/domain/control-plane/changes';

export function syncMessageOf(change: Pick<ConfigChange, 'type' | 'version' | 'payload'>, entityId: string) {
  return {
    v: 1,
    dataPlaneId: 'dp',
    seq: 1,
    issuedAt: 1,
    kind: change.type,
    entityId,
    entityVersion: change.version,
    // Through JSON, as it travels.
    payload: JSON.parse(JSON.stringify(change.payload)),
  };
}
