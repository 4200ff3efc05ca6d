/** The control-plane API's environment (lib/control-plane/control-plane-api.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { optional, url } from '../config/schema';
import { SYNC_PUBLISHING_VARIABLES } from '../config/sync-publishing';

export const CONTROL_PLANE_API_ENVIRONMENT = defineFunctionEnvironment('control-plane-api', {
  /** CONTROL_PLANE_TABLE_NAME holds the tenancy, RBAC and API-key records; changes go to INBOXES. */
  ...SYNC_PUBLISHING_VARIABLES,
  /** The tokens' `iss` (the control plane's URL): data-plane tokens forwarded with configuration writes are checked against it. */
  TOKEN_ISSUER: optional(url('https://cp.example.com')),
});

export const readControlPlaneApiEnvironment = CONTROL_PLANE_API_ENVIRONMENT.read;
export const environmentForControlPlaneApi = CONTROL_PLANE_API_ENVIRONMENT.environmentFor;
