import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/common/project-paths';
import { TWO_DATA_PLANES_CONFIG } from './support/test-app';

/** Runs bin/app.ts the way the CDK CLI does: context in CDK_CONTEXT_JSON, output in CDK_OUTDIR. */
function runCdkApp(context: Record<string, unknown>, env: Record<string, string> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'waggle-cdk-out-'));
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }),
      ...env,
    },
  });
  return { ...result, outdir };
}

describe('bin/app.ts', () => {
  it('reads the deployment config named by -c deploymentConfig', () => {
    const run = runCdkApp({ deploymentConfig: TWO_DATA_PLANES_CONFIG });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    expect(
      readdirSync(run.outdir)
        .filter((file) => file.endsWith('.template.json'))
        .sort(),
    ).toEqual([
      'Waggle-ControlPlane.template.json',
      'Waggle-DataPlane-acme.template.json',
      'Waggle-DataPlane-shared-ap.template.json',
    ]);
  });

  it('fails with a message naming the bad field when WAGGLE_DEPLOYMENT_CONFIG points at a bad config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'waggle-bad-config-'));
    const badConfig = join(dir, 'bad.json');
    writeFileSync(
      badConfig,
      JSON.stringify({
        controlPlane: { account: '111111111111', region: 'us-east-1', url: 'https://cp.example.com' },
        dataPlanes: [{ name: 'eu', account: '1234', region: 'eu-west-1', hostingModel: 'dedicated' }],
      }),
    );
    const run = runCdkApp({}, { WAGGLE_DEPLOYMENT_CONFIG: badConfig });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(
      `Invalid deployment config ${badConfig}: dataPlanes[0].account must be a 12-digit AWS account id (as a string), got "1234"`,
    );
  });
});
