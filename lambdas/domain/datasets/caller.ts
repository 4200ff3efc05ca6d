/** Who calls the datasets function (datasets, datapoints, runs): the API key's project, by id and name. */
import { ValidationError } from '../errors';
import type { Tenant } from '../events/event';

export interface DatasetCaller {
  tenant: Tenant;
  /** The project's name as clients know it (what `project` may say). */
  projectName: string;
}

/** A body or query may name the project (by name or id); naming another is the client's mistake, refused. */
export function checkCallerProject(
  caller: DatasetCaller,
  project: string | undefined,
  where = 'project',
): void {
  if (project === undefined || project === caller.projectName || project === caller.tenant.project_id) return;
  throw new ValidationError(
    `${where} names a project other than the API key's project "${caller.projectName}"`,
  );
}

/** The caller an authenticated principal is: its project, by id and name (never more of the principal). */
export function datasetCallerOf(principal: Tenant & { projectName: string }): DatasetCaller {
  return {
    tenant: {
      org_id: principal.org_id,
      workspace_id: principal.workspace_id,
      project_id: principal.project_id,
    },
    projectName: principal.projectName,
  };
}
