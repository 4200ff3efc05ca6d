import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DeploymentConfig, loadDeploymentConfig } from '../../lib/config/deployment-config';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import { buildTestApp, type TestWaggleApp, TWO_DATA_PLANES_CONFIG } from './support/test-app';

let waggle: TestWaggleApp;

beforeAll(() => {
  const config = loadDeploymentConfig(TWO_DATA_PLANES_CONFIG);
  // One plane turns source maps on; the other data plane and the control plane keep the default.
  const withSourceMaps: DeploymentConfig = {
    ...config,
    dataPlanes: config.dataPlanes.map((plane) =>
      plane.name === 'acme' ? { ...plane, sourceMaps: true } : plane,
    ),
  };
  waggle = buildTestApp(withSourceMaps);
});

/** NODE_OPTIONS of every Waggle function in the stack (they all carry POWERTOOLS_SERVICE_NAME). */
function nodeOptionsOf(template: Template): (string | undefined)[] {
  return Object.values(template.findResources('AWS::Lambda::Function'))
    .map((fn) => fn.Properties.Environment?.Variables as Record<string, string> | undefined)
    .filter((variables) => variables?.POWERTOOLS_SERVICE_NAME !== undefined)
    .map((variables) => variables?.NODE_OPTIONS);
}

describe('source maps', () => {
  it('are on for every function of a plane whose config says sourceMaps: true', () => {
    const options = nodeOptionsOf(Template.fromStack(waggle.dataPlanes.get('acme') as DataPlaneStack));
    expect(options.length).toBeGreaterThanOrEqual(7);
    expect(new Set(options)).toEqual(new Set(['--enable-source-maps']));
  });

  it('are off by default, in the other data plane and in the control plane', () => {
    for (const stack of [waggle.dataPlanes.get('shared-ap') as DataPlaneStack, waggle.controlPlane]) {
      const options = nodeOptionsOf(Template.fromStack(stack));
      expect(options.length).toBeGreaterThanOrEqual(4);
      expect(new Set(options)).toEqual(new Set([undefined]));
    }
  });
});
