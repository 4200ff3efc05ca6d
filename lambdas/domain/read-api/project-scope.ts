/**
 * The API key decides the project of every read and deletion. HoneyHive requests may still name one
 * (`project` in the export body or query); naming another project is refused with 400, as the
 * ingest routes do, rather than silently answering for the key's own project.
 */
import type { Principal } from '../auth/principal';
import type { Tenant } from '../events/event';
import { invalidField } from '../honeyhive/fields';

export function assertKeyProject(value: unknown, principal: Principal, where = 'project'): void {
  if (value === undefined || value === null || value === '') return;
  if (typeof value !== 'string') throw invalidField(where, 'must be a project name');
  if (value === principal.projectName || value === principal.project_id) return;
  throw invalidField(where, `names a project other than the API key's project "${principal.projectName}"`);
}

/** Only the tenant ids travel to the query layer, never the key hash or scopes. */
export function tenantOf(principal: Principal): Tenant {
  return { org_id: principal.org_id, workspace_id: principal.workspace_id, project_id: principal.project_id };
}
