import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type CfnResource } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDeploymentConfig } from '../../lib/config/deployment-config';
import { buildWaggleApp, dataPlaneStackName } from '../../lib/waggle-app';
import { TWO_DATA_PLANES_CONFIG } from './support/test-app';

// The one test that really bundles: the ingest function of one data plane, with the local esbuild.
let assetDirectory: string;
type FunctionProperties = { Handler: string; Code: { S3Key?: string; ZipFile?: string } };
let functionProperties: FunctionProperties;
let skippedFunctionProperties: FunctionProperties;

beforeAll(() => {
  const outdir = mkdtempSync(join(tmpdir(), 'waggle-bundling-'));
  const app = new App({
    outdir,
    context: {
      'aws:cdk:bundling-stacks': [dataPlaneStackName('acme')],
      // As the CLI does: record each asset's staged folder in the template metadata.
      'aws:cdk:enable-asset-metadata': true,
    },
  });
  const waggle = buildWaggleApp(app, loadDeploymentConfig(TWO_DATA_PLANES_CONFIG), { nag: false });
  const assembly = app.synth();

  const stack = waggle.dataPlanes.get('acme');
  if (!stack) throw new Error('no acme data plane');
  const functionId = stack.getLogicalId(
    stack.ingestApi.ingestFunction.function.node.defaultChild as CfnResource,
  );
  const resource = assembly.getStackByName(stack.stackName).template.Resources[functionId];
  expect(resource.Metadata['aws:asset:is-bundled']).toBe(true);
  assetDirectory = join(outdir, resource.Metadata['aws:asset:path']);
  functionProperties = resource.Properties;

  // The stack left out of bundling-stacks, as `cdk deploy <one stack>` leaves out the others.
  const skipped = waggle.dataPlanes.get('shared-ap');
  if (!skipped) throw new Error('no shared-ap data plane');
  const skippedId = skipped.getLogicalId(
    skipped.ingestApi.ingestFunction.function.node.defaultChild as CfnResource,
  );
  skippedFunctionProperties = assembly.getStackByName(skipped.stackName).template.Resources[skippedId]
    .Properties;
}, 180_000);

afterAll(() => {
  vi.unstubAllEnvs();
});

describe('ingest function bundle (local esbuild, no Docker)', () => {
  it('is a minified ES module with a source map', () => {
    const bundle = join(assetDirectory, 'index.mjs');
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(join(assetDirectory, 'index.mjs.map'))).toBe(true);
    const code = readFileSync(bundle, 'utf8');
    expect(code.startsWith("import { createRequire as __waggleCreateRequire } from 'node:module';")).toBe(
      true,
    );
    expect(code).toMatch(/sourceMappingURL=index\.mjs\.map/);
    // Dependencies (the AWS SDK clients among them) are inside, so nothing is installed beside it.
    expect(existsSync(join(assetDirectory, 'node_modules'))).toBe(false);
    expect(statSync(bundle).size).toBeGreaterThan(50_000);
  });

  it('is deployed as a zip asset whose index.mjs holds the handler', () => {
    expect(functionProperties.Handler).toBe('index.handler');
    expect(functionProperties.Code.S3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
    expect(functionProperties.Code.ZipFile).toBeUndefined();
  });

  it('is built only for the selected stack; a skipped stack carries a placeholder that throws', () => {
    expect(skippedFunctionProperties.Code.ZipFile).toContain('bundling was skipped for this stack');
    expect(skippedFunctionProperties.Code.S3Key).toBeUndefined();
  });

  it('loads as an ES module and exports the handler', async () => {
    // What Lambda and the stack would provide; loading the module only reads them, no AWS call is made.
    vi.stubEnv('AWS_REGION', 'eu-central-1');
    vi.stubEnv('RAW_ARCHIVE_BUCKET', 'raw-archive-bucket');
    vi.stubEnv('EVENTS_QUEUE_URL', 'https://sqs.eu-central-1.amazonaws.com/200000000002/events');
    vi.stubEnv('KEY_TABLE_NAME', 'key-registry');
    const module = await import(pathToFileURL(join(assetDirectory, 'index.mjs')).href);
    expect(typeof module.handler).toBe('function');
  });
});
