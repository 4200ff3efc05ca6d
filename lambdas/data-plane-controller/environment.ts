/** The data-plane controller's environment (lib/data-plane/data-plane-controller.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { string, url } from '../config/schema';

export const DATA_PLANE_CONTROLLER_ENVIRONMENT = defineFunctionEnvironment('data-plane-controller', {
  /** This data plane: messages addressed to another one are rejected. */
  DATA_PLANE_ID: string(),
  /** The control plane's signing keys, which verify every message. */
  CONTROL_PLANE_JWKS_URL: url('https://cp.example.com/.well-known/jwks.json'),
  KEY_TABLE_NAME: string(),
  SYNC_STATE_TABLE_NAME: string(),
});

export const readDataPlaneControllerEnvironment = DATA_PLANE_CONTROLLER_ENVIRONMENT.read;
export const environmentForDataPlaneController = DATA_PLANE_CONTROLLER_ENVIRONMENT.environmentFor;
