import type { JsonObject } from '../events/event';
import { fieldPath, invalidField, optionalString } from './fields';
import type { IntakeContext } from './intake-context';

/**
 * The API key decides the project. HoneyHive bodies may still name one in `project`; a name (or our
 * project id) other than the key's own is a client mistake we refuse rather than silently re-route.
 */
export function assertSameProject(source: JsonObject, parent: string, ctx: IntakeContext): void {
  const project = optionalString(source, 'project', parent);
  if (project === undefined || project === ctx.projectName || project === ctx.tenant.project_id) return;
  throw invalidField(
    fieldPath(parent, 'project'),
    `names a project other than the API key's project "${ctx.projectName}"`,
  );
}
