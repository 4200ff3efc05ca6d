import { describe, expect, it } from 'vitest';
import { archivedProjects, matchArchivedProject } from '../../../lambdas/domain/ingest/archived-projects';
import {
  type ArchiveHeader,
  encodeArchiveObject,
  rawArchiveKey,
} from '../../../lambdas/domain/ingest/raw-archive';
import { MemoryObjectStore } from '../../support/memory-ports';

const T = Date.UTC(2026, 10, 21, 10, 30);

function header(
  projectId: string,
  projectName: string,
  org: string,
  receivedAt: number,
  id: string,
): ArchiveHeader {
  return {
    v: 1,
    requestId: id,
    receivedAt,
    route: 'otlp-traces',
    contentType: 'application/json',
    tenant: { org_id: org, workspace_id: 'w', project_id: projectId },
    projectName,
  };
}

async function archiveWith(headers: ArchiveHeader[]): Promise<MemoryObjectStore> {
  const archive = new MemoryObjectStore();
  for (const h of headers)
    archive.objects.set(rawArchiveKey(h), encodeArchiveObject(h, new Uint8Array([123, 125]), false));
  return archive;
}

describe('archived projects', () => {
  it('counts the requests of each project in the range only', async () => {
    const archive = await archiveWith([
      header('uuid-1', 'default', 'org-cp', T, 'a'),
      header('uuid-1', 'default', 'org-cp', T + 1000, 'b'),
      header('other', 'other', 'org-cp', T + 3 * 3_600_000, 'c'),
    ]);
    expect(await archivedProjects(archive, T - 1, T + 60_000)).toEqual([
      { project_id: 'uuid-1', projectName: 'default', org_id: 'org-cp', requests: 2 },
    ]);
  });

  it('resolves a name to its id, an id to itself', async () => {
    const projects = [{ project_id: 'uuid-1', projectName: 'default', org_id: 'o', requests: 2 }];
    expect(matchArchivedProject(projects, 'default')).toEqual({ project_id: 'uuid-1' });
    expect(matchArchivedProject(projects, 'uuid-1')).toEqual({ project_id: 'uuid-1' });
  });

  it('refuses a name two projects carry, naming both ids', async () => {
    const projects = [
      { project_id: 'default', projectName: 'default', org_id: 'local', requests: 1 },
      { project_id: 'uuid-1', projectName: 'default', org_id: 'o', requests: 2 },
    ];
    const match = matchArchivedProject(projects, 'default');
    expect(match).toHaveProperty('error');
    expect((match as { error: string }).error).toMatch(/several projects.*id default.*id uuid-1/);
  });

  it('says what there was when nothing matched', async () => {
    const projects = [{ project_id: 'uuid-1', projectName: 'default', org_id: 'o', requests: 2 }];
    const match = matchArchivedProject(projects, 'nope') as { error: string };
    expect(match.error).toContain('no archived request of a project named or with id "nope"');
    expect(match.error).toContain('"default" (id uuid-1');
    expect((matchArchivedProject([], 'nope') as { error: string }).error).toContain('no request at all');
  });
});
