import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type DeploymentConfig, loadDeploymentConfig } from '../../../lib/config/deployment-config';
import type { DataPlaneStack } from '../../../lib/data-plane/data-plane-stack';
import { buildWaggleApp, type WaggleApp } from '../../../lib/waggle-app';
import { type PolicyStatement, statementsOfRole, type TemplateResource } from './policies';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** Two data planes in two accounts and regions (eu-central-1 "acme", ap-southeast-2 "shared-ap"). */
export const TWO_DATA_PLANES_CONFIG = join(FIXTURES, 'two-data-planes.json');

/** A stand-in for ui/dist, so that infrastructure tests need no console build. */
export const CONSOLE_DIST_FIXTURE = join(FIXTURES, 'console-dist');

/** Where TWO_DATA_PLANES_CONFIG deploys the "acme" data plane. */
export const ACME_ENV = { account: '200000000002', region: 'eu-central-1' };

export interface TestWaggleApp extends WaggleApp {
  readonly app: App;
}

/**
 * The same app `bin/app.ts` builds, with bundling skipped for every stack (CDK's
 * `aws:cdk:bundling-stacks` context) so that a test file synthesizes in a few seconds.
 */
export function buildTestApp(
  config: DeploymentConfig = loadDeploymentConfig(TWO_DATA_PLANES_CONFIG),
): TestWaggleApp {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return { app, ...buildWaggleApp(app, config, { consoleAssetPath: CONSOLE_DIST_FIXTURE }) };
}

/** One data plane of a fresh test app ("acme" unless named) and its synthesized template. */
export function testDataPlane(name = 'acme'): { stack: DataPlaneStack; template: Template } {
  const stack = buildTestApp().dataPlanes.get(name) as DataPlaneStack;
  return { stack, template: Template.fromStack(stack) };
}

type Construct = { node: { defaultChild?: unknown } };

/**
 * The "acme" data plane with its template's resources, a construct's logical id and a role's policy
 * statements: what the infra tests reading IAM rights out of one synthesis share.
 */
export function synthesizedDataPlane(): {
  stack: DataPlaneStack;
  resources: Record<string, TemplateResource>;
  idOf: (construct: Construct) => string;
  roleStatements: (role: Construct) => PolicyStatement[];
} {
  const { stack, template } = testDataPlane();
  const resources = template.toJSON().Resources as Record<string, TemplateResource>;
  const idOf = (construct: Construct) => stack.getLogicalId(construct.node.defaultChild as never);
  return { stack, resources, idOf, roleStatements: (role) => statementsOfRole(resources, idOf(role)) };
}

export type SynthesizedDataPlane = ReturnType<typeof synthesizedDataPlane>;
