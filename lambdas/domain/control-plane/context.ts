/** What the control-plane operations need: the store, the change publisher, a clock and ids. */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../errors';
import type { ChangePublisher, ConfigChange } from './changes';
import type { ControlPlaneRecord, Project } from './model';
import type { ControlPlaneStore } from './store';

export interface ControlPlaneContext {
  store: ControlPlaneStore;
  changes: ChangePublisher;
  /** Epoch milliseconds. */
  clock: () => number;
  newId: () => string;
}

export function controlPlaneContext(deps: {
  store: ControlPlaneStore;
  changes: ChangePublisher;
  clock?: () => number;
  newId?: () => string;
}): ControlPlaneContext {
  return { clock: Date.now, newId: randomUUID, ...deps };
}

/**
 * Stores a record, then publishes its change to the data planes: a change is only sent for a record
 * the control plane holds, and a refused put (a conflicting version) sends nothing.
 */
export async function putAndPublish<R extends ControlPlaneRecord>(
  context: ControlPlaneContext,
  record: R,
  change: (record: R) => ConfigChange,
): Promise<R> {
  await context.store.put(record);
  await context.changes.publish(change(record));
  return record;
}

export function isoNow(context: ControlPlaneContext): string {
  return new Date(context.clock()).toISOString();
}

/** A record kind that lives in a project. */
type ProjectRecord = Extract<ControlPlaneRecord, { project_id: string }>;

/**
 * The project's record of this kind with this id; NotFoundError with `notFound` when there is none
 * or it is another project's (the two are never told apart).
 */
export async function findInProject<K extends ProjectRecord['kind']>(
  context: ControlPlaneContext,
  kind: K,
  project: Project,
  id: string,
  notFound: string,
): Promise<Extract<ProjectRecord, { kind: K }>> {
  // RecordOf<K> for a project kind K; TypeScript cannot narrow a generic kind by itself.
  const record = (await context.store.get({ kind, org_id: project.org_id, id })) as
    | Extract<ProjectRecord, { kind: K }>
    | undefined;
  if (!record || record.project_id !== project.id) throw new NotFoundError(notFound);
  return record;
}
