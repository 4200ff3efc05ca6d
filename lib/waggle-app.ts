import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONSOLE_DIST_DIR } from '../lambdas/local/console-build';
import type { DeploymentConfig } from './config/deployment-config';
import { ControlPlaneStack } from './control-plane/control-plane-stack';
import { DataPlaneStack } from './data-plane/data-plane-stack';

export const CONTROL_PLANE_STACK_NAME = 'Waggle-ControlPlane';

export function dataPlaneStackName(dataPlaneName: string): string {
  return `Waggle-DataPlane-${dataPlaneName}`;
}

export interface WaggleAppOptions {
  /** Register the cdk-nag AwsSolutions checks so that synth fails on unacknowledged findings. */
  readonly nag?: boolean;
  /** The built web console the control plane serves; absent: ui/dist (bin/app.ts builds it). */
  readonly consoleAssetPath?: string;
}

export interface WaggleApp {
  readonly controlPlane: ControlPlaneStack;
  readonly dataPlanes: ReadonlyMap<string, DataPlaneStack>;
  /** The registered rule pack, for tests that inspect its findings. */
  readonly nagPack?: AwsSolutionsChecks;
}

/**
 * Adds every Waggle stack named in the deployment config to the app: one control plane and one
 * data plane per entry, each pinned to its account and region (no lookups, so synth is offline).
 */
export function buildWaggleApp(
  app: App,
  config: DeploymentConfig,
  options: WaggleAppOptions = {},
): WaggleApp {
  const controlPlane = new ControlPlaneStack(app, CONTROL_PLANE_STACK_NAME, {
    env: { account: config.controlPlane.account, region: config.controlPlane.region },
    description: 'Waggle control plane: identity, tenancy, API keys, tokens and config sync',
    controlPlane: config.controlPlane,
    dataPlanes: config.dataPlanes,
    consoleAssetPath: options.consoleAssetPath ?? CONSOLE_DIST_DIR,
  });

  const dataPlanes = new Map<string, DataPlaneStack>();
  for (const dataPlane of config.dataPlanes) {
    const stackName = dataPlaneStackName(dataPlane.name);
    const stack = new DataPlaneStack(app, stackName, {
      env: { account: dataPlane.account, region: dataPlane.region },
      description: `Waggle data plane "${dataPlane.name}" (${dataPlane.hostingModel}): ingestion, raw archive, events queue, key registry, event store, Athena tables, writer, read API`,
      dataPlane,
      controlPlane: config.controlPlane,
    });
    dataPlanes.set(dataPlane.name, stack);
  }

  let nagPack: AwsSolutionsChecks | undefined;
  if (options.nag ?? true) {
    nagPack = new AwsSolutionsChecks(app);
    Validations.of(app).addPlugins(nagPack);
  }
  return { controlPlane, dataPlanes, nagPack };
}
