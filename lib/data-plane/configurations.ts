import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { environmentForConfigurations } from '../../lambdas/configurations/environment';
import { CONFIGURATION_ROUTES } from '../../lambdas/configurations/routes';
import { addFunctionRoutes } from '../common/function-routes';
import { WaggleFunction } from '../common/waggle-function';
import type { LogLevel } from '../config/deployment-config';
import { type CallerAuthProps, callerAuthEnvironment, grantCallerAuth } from './caller-auth';
import type { SyncController } from './data-plane-controller';

export interface ConfigurationsApiProps extends CallerAuthProps {
  /** The data plane's HTTP API (IngestApi's). */
  readonly httpApi: HttpApi;
  /** Its sync-state table holds the synced configurations and tools. */
  readonly syncController: SyncController;
  /** The control plane's API URL: writes are forwarded there. */
  readonly controlPlaneUrl: string;
  readonly logLevel?: LogLevel;
}

/**
 * The configurations function and its routes (lambdas/configurations/routes.ts) on the data plane's
 * HTTP API: HoneyHive's /configurations and /tools, read from the synced copy, written through the
 * control plane.
 */
export class ConfigurationsApi extends Construct {
  readonly configurationsFunction: WaggleFunction;

  constructor(scope: Construct, id: string, props: ConfigurationsApiProps) {
    super(scope, id);
    this.configurationsFunction = new WaggleFunction(this, 'Configurations', {
      entry: 'lambdas/configurations/handler.ts',
      serviceName: 'waggle-configurations',
      description:
        'Waggle configurations and tools: HoneyHive /configurations and /tools (reads synced, writes forwarded)',
      memorySize: 512,
      // A forwarded write waits at most 10 s for the control plane; under the HTTP API's 30 s.
      timeout: Duration.seconds(15),
      logLevel: props.logLevel,
      environment: environmentForConfigurations({
        SYNC_STATE_TABLE_NAME: props.syncController.stateTable.tableName,
        CONTROL_PLANE_URL: props.controlPlaneUrl,
        ...callerAuthEnvironment(props),
      }),
    });
    const role = this.configurationsFunction.role;
    grantCallerAuth(role, props);
    // ConfigStore.list is a Query per kind; get is a GetItem.
    props.syncController.grantReadSyncedConfig(role);

    addFunctionRoutes(
      props.httpApi,
      'ConfigurationsIntegration',
      this.configurationsFunction.function,
      CONFIGURATION_ROUTES,
    );
  }
}
