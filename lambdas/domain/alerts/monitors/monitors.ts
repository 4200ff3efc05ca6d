/**
 * The control plane's monitor operations: create, update (a PATCH over the whole definition,
 * checked whole), delete, find and list, each change published to the data planes as the sync's
 * `alert` kind. Channels a monitor names must be channels of its project. Every check runs before
 * anything is stored, so a refused write changes nothing.
 */
import { jsonBytes, MAX_SYNC_PAYLOAD_BYTES } from '../../configurations/limits';
import { deletion } from '../../control-plane/changes';
import { type ControlPlaneContext, findInProject, isoNow, putAndPublish } from '../../control-plane/context';
import {
  firstVersion,
  inProject,
  type MonitorRecord,
  nextVersion,
  type Project,
} from '../../control-plane/model';
import { TooLargeError, ValidationError } from '../../errors';
import { canonicalJson } from '../../sync/canonical-json';
import { versionedPayload } from '../../sync/versioned-payload';
import { listChannels } from '../channels';
import type { MonitorContent } from './definition';
import type { MonitorPayload } from './synced';

/** Monitors of one project; each is one group query a minute at most, so the bound keeps runs short. */
export const MAX_MONITORS_PER_PROJECT = 100;

export async function createMonitor(
  context: ControlPlaneContext,
  project: Project,
  content: MonitorContent,
): Promise<MonitorRecord> {
  await checkChannels(context, project, content);
  if ((await listMonitors(context, project)).length >= MAX_MONITORS_PER_PROJECT)
    throw new ValidationError(`a project has at most ${MAX_MONITORS_PER_PROJECT} monitors`);
  const record: MonitorRecord = {
    kind: 'monitor',
    ...inProject(project),
    id: context.newId(),
    ...firstVersion(isoNow(context)),
    content,
  };
  await store(context, record);
  return record;
}

/** The next version, or the record unchanged when the patch changes nothing. */
export async function updateMonitor(
  context: ControlPlaneContext,
  project: Project,
  current: MonitorRecord,
  content: MonitorContent,
): Promise<MonitorRecord> {
  if (canonicalJson(content as never) === canonicalJson(current.content as never)) return current;
  await checkChannels(context, project, content);
  const record = nextVersion(current, { content }, isoNow(context));
  await store(context, record);
  return record;
}

/**
 * Stores a new version and publishes it. The put is conditional on the version (n-1 -> n), so of
 * two concurrent updates one loses cleanly; the size is checked first, so a refused one stores nothing.
 */
async function store(context: ControlPlaneContext, record: MonitorRecord): Promise<void> {
  checkPayloadSize(record);
  await putAndPublish(context, record, monitorChange);
}

/** The sync change of a monitor's current version (published on each write, and by reconciliation). */
export function monitorChange(record: MonitorRecord) {
  return { type: 'alert.upserted' as const, version: record.version, payload: monitorPayload(record) };
}

export async function deleteMonitor(context: ControlPlaneContext, current: MonitorRecord): Promise<void> {
  await context.store.delete({ kind: 'monitor', org_id: current.org_id, id: current.id }, current.version);
  await context.changes.publish(deletion('alert.deleted', current, monitorPayload(current)));
}

export function findMonitor(
  context: ControlPlaneContext,
  project: Project,
  id: string,
): Promise<MonitorRecord> {
  return findInProject(context, 'monitor', project, id, `No monitor ${id} in this project`);
}

export async function listMonitors(context: ControlPlaneContext, project: Project): Promise<MonitorRecord[]> {
  const records = await context.store.listByOrg('monitor', project.org_id);
  return records.filter((record) => record.project_id === project.id);
}

export function monitorPayload(record: MonitorRecord): MonitorPayload {
  return versionedPayload(record);
}

/** A monitor as the API shows it: its definition, id and version. */
export function monitorView(record: MonitorRecord) {
  return {
    id: record.id,
    project_id: record.project_id,
    ...record.content,
    version: record.version,
    created_at: record.created_at,
    updated_at: record.updated_at,
  };
}

async function checkChannels(context: ControlPlaneContext, project: Project, content: MonitorContent) {
  if (content.channels.length === 0) return;
  const known = new Set((await listChannels(context, project)).map((channel) => channel.id));
  const index = content.channels.findIndex((id) => !known.has(id));
  if (index >= 0)
    throw new ValidationError(`channels[${index}]: no channel ${content.channels[index]} in this project`);
}

function checkPayloadSize(record: MonitorRecord): void {
  if (jsonBytes(monitorPayload(record)) > MAX_SYNC_PAYLOAD_BYTES)
    throw new TooLargeError(
      `The monitor exceeds ${MAX_SYNC_PAYLOAD_BYTES / 1024} KiB as JSON (one sync message)`,
    );
}
