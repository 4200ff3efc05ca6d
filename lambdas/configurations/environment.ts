/** The configurations function's environment (lib/data-plane/configurations.ts sets it; handler.ts reads it). */
import { CALLER_AUTH_VARIABLES, tokenTrustProblems } from '../config/caller-auth';
import { defineFunctionEnvironment } from '../config/function-environment';
import { string, url } from '../config/schema';

export const CONFIGURATIONS_ENVIRONMENT = defineFunctionEnvironment(
  'configurations',
  {
    /** The sync-state table: the data-plane controller's ConfigStore, read here (configurations, tools). */
    SYNC_STATE_TABLE_NAME: string(),
    /** The control plane's API, where writes are forwarded (the owner of configurations and tools). */
    CONTROL_PLANE_URL: url('https://cp.example.com'),
    ...CALLER_AUTH_VARIABLES,
  },
  { check: tokenTrustProblems },
);

export const readConfigurationsEnvironment = CONFIGURATIONS_ENVIRONMENT.read;
export const environmentForConfigurations = CONFIGURATIONS_ENVIRONMENT.environmentFor;
