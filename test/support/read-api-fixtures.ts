/** What the read API's request and response unit tests share: the caller, and the 400 a parse refuses with. */
import type { Principal } from '../../lambdas/domain/auth/principal';
import { ValidationError } from '../../lambdas/domain/errors';

/** A read-scoped API key of project `my-app` (proj-1) in org-1 / ws-1. */
export const READ_PRINCIPAL: Principal = {
  org_id: 'org-1',
  workspace_id: 'ws-1',
  project_id: 'proj-1',
  projectName: 'my-app',
  scopes: ['read'],
  keyHash: 'h',
};

/** The message of the ValidationError (a 400) that `run` throws; fails when it throws none, or another error. */
export function validationMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  throw new Error('expected a 400');
}
