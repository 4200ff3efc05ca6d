/**
 * Which projects have archived raw requests in a time range, read from the archive itself, so a
 * replay can be asked for a project by name or by id and can say what there was when nothing matched.
 */
import type { ObjectStore } from '../ports';
import { decodeArchiveObject, RAW_REQUEST_OBJECTS_PREFIX, receivedAtOfKey } from './raw-archive';
import { decodeRawBatch, rawBatchPrefix } from './raw-batch-archive';

interface ArchivedProject {
  project_id: string;
  projectName: string;
  org_id: string;
  requests: number;
}

const HOUR_MS = 3_600_000;

export async function archivedProjects(
  archive: ObjectStore,
  from: number,
  to: number,
): Promise<ArchivedProject[]> {
  const found = new Map<string, ArchivedProject>();
  const count = (header: { tenant: { project_id: string; org_id: string }; projectName: string }) => {
    const entry = found.get(header.tenant.project_id) ?? {
      project_id: header.tenant.project_id,
      projectName: header.projectName,
      org_id: header.tenant.org_id,
      requests: 0,
    };
    entry.requests++;
    found.set(entry.project_id, entry);
  };
  for (let hour = Math.floor(from / HOUR_MS) * HOUR_MS; hour <= to; hour += HOUR_MS) {
    for await (const key of archive.list(rawBatchPrefix(hour))) {
      const object = await archive.get(key);
      // Unreadable objects are the replay's to report, with their key.
      const entries = object ? safely(() => decodeRawBatch(object)) : undefined;
      for (const entry of entries ?? []) {
        if (entry.header.receivedAt >= from && entry.header.receivedAt <= to) count(entry.header);
      }
    }
  }
  // One object per request: the big ones and everything archived before batch objects (few).
  for await (const key of archive.list(RAW_REQUEST_OBJECTS_PREFIX)) {
    const receivedAt = receivedAtOfKey(key);
    if (receivedAt === undefined || receivedAt < from || receivedAt > to) continue;
    const object = await archive.get(key);
    const request = object ? safely(() => decodeArchiveObject(object)) : undefined;
    if (request) count(request.header);
  }
  return [...found.values()];
}

type ProjectMatch = { project_id: string } | { error: string };

/**
 * The project `nameOrId` means: an id first, else a name. A name that several projects carry (two
 * organizations, or the local data plane's own project "default" beside the control plane's) is
 * refused with their ids, rather than replaying the wrong one.
 */
export function matchArchivedProject(projects: readonly ArchivedProject[], nameOrId: string): ProjectMatch {
  const byId = projects.find((project) => project.project_id === nameOrId);
  const byName = projects.filter((project) => project.projectName === nameOrId);
  const describe = (list: readonly ArchivedProject[]) =>
    list
      .map((p) => `"${p.projectName}" (id ${p.project_id}, org ${p.org_id}, ${p.requests} request(s))`)
      .join(', ');
  if (byId && byName.every((project) => project === byId)) return { project_id: byId.project_id };
  if (byId || byName.length > 1) {
    const all = [...new Set([...(byId ? [byId] : []), ...byName])];
    return { error: `"${nameOrId}" matches several projects: ${describe(all)}; give the id with --project` };
  }
  const [only] = byName;
  if (only) return { project_id: only.project_id };
  return {
    error:
      projects.length === 0
        ? 'the archive has no request at all in that range'
        : `no archived request of a project named or with id "${nameOrId}" in that range; projects with requests then: ${describe(projects)}`,
  };
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
