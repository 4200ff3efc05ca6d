import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type CfnResource, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventsQueue } from '../../lib/data-plane/events-queue';
import { IngestApi } from '../../lib/data-plane/ingest-api';
import { KeyRegistry } from '../../lib/data-plane/key-registry';
import { RawArchive } from '../../lib/data-plane/raw-archive';

// The one test that really bundles: the ingest function, with the local esbuild. It builds the ingest
// constructs alone in two stacks (one selected for bundling, one not), as the data plane composes
// them, so that it depends on no other function's sources; `npm run synth` bundles all of them.
let assetDirectory: string;
type FunctionProperties = { Handler: string; Code: { S3Key?: string; ZipFile?: string } };
let functionProperties: FunctionProperties;
let skippedFunctionProperties: FunctionProperties;

function ingestStack(app: App, name: string): { stack: Stack; ingestApi: IngestApi } {
  const stack = new Stack(app, name, { env: { account: '200000000002', region: 'eu-central-1' } });
  const ingestApi = new IngestApi(stack, 'IngestApi', {
    rawArchive: new RawArchive(stack, 'RawArchive'),
    eventsQueue: new EventsQueue(stack, 'EventsQueue'),
    keyRegistry: new KeyRegistry(stack, 'KeyRegistry'),
  });
  return { stack, ingestApi };
}

beforeAll(() => {
  const outdir = mkdtempSync(join(tmpdir(), 'waggle-bundling-'));
  const app = new App({
    outdir,
    context: {
      'aws:cdk:bundling-stacks': ['Bundled'],
      // As the CLI does: record each asset's staged folder in the template metadata.
      'aws:cdk:enable-asset-metadata': true,
    },
  });
  const bundled = ingestStack(app, 'Bundled');
  // The stack left out of bundling-stacks, as `cdk deploy <one stack>` leaves out the others.
  const skipped = ingestStack(app, 'Skipped');
  const assembly = app.synth();

  const functionId = bundled.stack.getLogicalId(
    bundled.ingestApi.ingestFunction.function.node.defaultChild as CfnResource,
  );
  const resource = assembly.getStackByName('Bundled').template.Resources[functionId];
  expect(resource.Metadata['aws:asset:is-bundled']).toBe(true);
  assetDirectory = join(outdir, resource.Metadata['aws:asset:path']);
  functionProperties = resource.Properties;

  const skippedId = skipped.stack.getLogicalId(
    skipped.ingestApi.ingestFunction.function.node.defaultChild as CfnResource,
  );
  skippedFunctionProperties = assembly.getStackByName('Skipped').template.Resources[skippedId].Properties;
}, 180_000);

afterAll(() => {
  vi.unstubAllEnvs();
});

/** What Lambda and the stack would provide; loading the module only reads them, no AWS call is made. */
const LAMBDA_ENVIRONMENT = {
  AWS_REGION: 'eu-central-1',
  LOG_LEVEL: 'INFO',
  POWERTOOLS_SERVICE_NAME: 'waggle-ingest',
  POWERTOOLS_METRICS_NAMESPACE: 'Waggle',
  RAW_ARCHIVE_BUCKET: 'raw-archive-bucket',
  EVENTS_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/200000000002/events',
  KEY_TABLE_NAME: 'key-registry',
};

function stubEnvironment(environment: Record<string, string>): void {
  for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
}

describe('ingest function bundle (local esbuild, no Docker)', () => {
  it('is a minified ES module, without a source map unless the config asks for one (cold starts)', () => {
    const bundle = join(assetDirectory, 'index.mjs');
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(join(assetDirectory, 'index.mjs.map'))).toBe(false);
    const code = readFileSync(bundle, 'utf8');
    expect(code.startsWith("import { createRequire as __waggleCreateRequire } from 'node:module';")).toBe(
      true,
    );
    expect(code).not.toMatch(/sourceMappingURL/);
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
    stubEnvironment(LAMBDA_ENVIRONMENT);
    const module = await import(pathToFileURL(join(assetDirectory, 'index.mjs')).href);
    expect(typeof module.handler).toBe('function');
  });

  it('refuses to start with a bad environment, naming every problem at once', async () => {
    stubEnvironment({
      ...LAMBDA_ENVIRONMENT,
      LOG_LEVEL: 'LOUD',
      RAW_ARCHIVE_BUCKET: '',
      EVENTS_QUEUE_URL: 'events',
    });
    // A query string makes it a module instance of its own, evaluated afresh.
    const fresh = `${pathToFileURL(join(assetDirectory, 'index.mjs')).href}?bad-environment`;
    await expect(import(fresh)).rejects.toThrow(
      'ingest: LOG_LEVEL must be one of DEBUG, INFO, WARN, ERROR, got "LOUD"; RAW_ARCHIVE_BUCKET is not set; ' +
        'EVENTS_QUEUE_URL must be an http(s) URL, got "events"',
    );
  });
});
