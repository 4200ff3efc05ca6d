/**
 * Each function's environment is declared once (lambdas/<function>/environment.ts): every variable a
 * construct sets is one its function's schema declares, every required one is set, and every
 * declared one is set by some deployment (optional ones included), in the synthesized templates of
 * the whole app, with a deployment config that turns on the optional settings.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, type CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionEnvironments } from '../../lambdas/config/function-environments';
import { WaggleFunction } from '../../lib/common/waggle-function';
import { type DeploymentConfig, loadDeploymentConfig } from '../../lib/config/deployment-config';
import { EventCompaction } from '../../lib/data-plane/compaction';
import { EventStore } from '../../lib/data-plane/event-store';
import { RawArchive } from '../../lib/data-plane/raw-archive';
import { buildTestApp, TWO_DATA_PLANES_CONFIG } from './support/test-app';

const ROOT = resolve(import.meta.dirname, '../..');

interface Deployed {
  label: string;
  fn: WaggleFunction;
  /** The variables as the template sets them: text, or a CloudFormation expression resolved at deploy. */
  variables: Record<string, unknown>;
}

let deployed: Deployed[];
const FUNCTION_ENVIRONMENTS = await loadFunctionEnvironments();

function functionsOf(stack: Stack): Deployed[] {
  const template = Template.fromStack(stack).toJSON();
  return stack.node
    .findAll()
    .filter((construct): construct is WaggleFunction => construct instanceof WaggleFunction)
    .map((fn) => {
      const id = stack.getLogicalId(fn.function.node.defaultChild as CfnResource);
      return {
        label: `${stack.stackName}/${fn.node.path}`,
        fn,
        variables: template.Resources[id].Properties.Environment.Variables,
      };
    });
}

beforeAll(() => {
  const base = loadDeploymentConfig(TWO_DATA_PLANES_CONFIG);
  // Every optional setting that reaches an environment: source maps, a signing key rotation, judge
  // settings, the notification email sender.
  const everything: DeploymentConfig = {
    controlPlane: {
      ...base.controlPlane,
      sourceMaps: true,
      signingKeys: { current: 'b', previous: 'a' },
      notificationEmailFrom: 'alerts@example.com',
    },
    dataPlanes: base.dataPlanes.map((plane) => ({
      ...plane,
      sourceMaps: true,
      evaluation: {
        judgeDailyBudgetUsd: 2.5,
        judgeFallbacks: { 'openai/gpt-4o-mini': ['anthropic/claude-haiku-4-5'] },
      },
    })),
  };
  const apps = [buildTestApp(base), buildTestApp(everything)];
  deployed = apps.flatMap(({ controlPlane, dataPlanes }) =>
    [controlPlane, ...dataPlanes.values()].flatMap(functionsOf),
  );
  // The compaction's closed-after setting is a construct property only (no deployment config field).
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Compaction', {
    env: { account: '200000000002', region: 'eu-central-1' },
  });
  const rawArchive = new RawArchive(stack, 'Archive');
  new EventCompaction(stack, 'Compaction', {
    eventStore: new EventStore(stack, 'Store', { accessLogBucket: rawArchive.accessLogBucket }),
    closedAfter: Duration.minutes(90),
  });
  deployed.push(...functionsOf(stack));
}, 180_000);

describe('function environments', () => {
  it('has one schema per function folder, and a construct deploys each', () => {
    const folders = readdirSync(join(ROOT, 'lambdas'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .filter((entry) => readdirSync(join(ROOT, 'lambdas', entry.name)).includes('handler.ts'))
      .map((entry) => entry.name)
      .sort();
    expect(FUNCTION_ENVIRONMENTS.map((spec) => spec.functionName).sort()).toEqual(folders);
    expect([...new Set(deployed.map(({ fn }) => fn.environment.functionName))].sort()).toEqual(folders);
  });

  it('gives each function only variables its schema declares, every required one among them', () => {
    for (const { label, fn, variables } of deployed) {
      const { spec } = fn.environment;
      const declared = Object.keys(spec.variables);
      const required = declared.filter((name) => spec.variables[name]?.required);
      expect(
        Object.keys(variables).filter((name) => !declared.includes(name)),
        label,
      ).toEqual([]);
      expect(
        required.filter((name) => !(name in variables)),
        label,
      ).toEqual([]);
    }
  });

  it('sets every variable a schema declares in some deployment', () => {
    for (const spec of FUNCTION_ENVIRONMENTS) {
      const set = new Set(
        deployed
          .filter(({ fn }) => fn.environment.functionName === spec.functionName)
          .flatMap(({ variables }) => Object.keys(variables)),
      );
      expect(
        Object.keys(spec.variables).filter((name) => !set.has(name)),
        spec.functionName,
      ).toEqual([]);
    }
  });

  it('sets values the handler accepts (those known at synth; the rest are resource names and URLs)', () => {
    let checked = 0;
    for (const { label, fn, variables } of deployed) {
      const { spec } = fn.environment;
      for (const [name, value] of Object.entries(variables)) {
        if (typeof value !== 'string') continue;
        const variable = spec.variables[name];
        expect(() => variable?.parse(value, name), `${label} ${name}`).not.toThrow();
        checked++;
      }
    }
    // LOG_LEVEL, the Powertools names, NODE_OPTIONS, ids, JSON and URLs from the config.
    expect(checked).toBeGreaterThan(100);
  });

  it('refuses to build a function with the environment of another', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Mixed');
    const [compaction] = deployed.filter(({ fn }) => fn.environment.functionName === 'compaction');
    expect(
      () =>
        new WaggleFunction(stack, 'Writer', {
          entry: 'lambdas/writer/handler.ts',
          serviceName: 'waggle-writer',
          description: 'a writer with the compaction environment',
          environment: (compaction as Deployed).fn.environment,
        }),
    ).toThrow('the environment of lambdas/compaction/handler.ts was given to lambdas/writer/handler.ts');
  });
});
