/**
 * Shared setup, assertions and tests for the data plane's two map workflows (backfills and
 * server-side experiments): both run a Standard state machine over an item list in S3 through a
 * steps function, behind an API that starts, describes and redrives runs. What differs (the
 * definition, the steps function's and the API's own rights) stays in each test file.
 */
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { type StateMachineDefinition, substituteWorkflow } from '../../../lambdas/domain/workflows/asl';
import type { DataPlaneStack } from '../../../lib/data-plane/data-plane-stack';
import { startedForFile } from '../../support/started-for-file';
import { allActions, type TemplateResource } from './policies';
import { type SynthesizedDataPlane, synthesizedDataPlane } from './test-app';

type Construct = { node: { defaultChild?: unknown } };

/** The parts of a map workflow construct these assertions read. */
export type MapWorkflow = {
  stateMachine: Construct & { role: Construct };
  stepsFunction: { function: Construct };
  itemsBucket: Construct;
};

/** The "acme" data plane, synthesized once before the file's tests: read its fields inside tests. */
export function synthesizedForFile(): SynthesizedDataPlane {
  const current = startedForFile('the data plane synthesis', synthesizedDataPlane, { timeoutMs: 180_000 });
  return {
    get stack() {
      return current().stack;
    },
    get resources() {
      return current().resources;
    },
    idOf: (construct) => current().idOf(construct),
    roleStatements: (role) => current().roleStatements(role),
  };
}

/** Made-up values for a workflow's placeholders (`name`: backfill, experiment), as Step Functions substitutes them. */
export const exampleSubstitutions = (name: string) => ({
  stepsFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:waggle-${name}-steps`,
  itemsBucket: `waggle-${name}-items`,
  partition: 'aws',
});

/** Standard, logged without execution data, traced, with its placeholders substituted by the stack's own resources. */
export function expectMapWorkflowMachine(
  properties: Record<string, unknown>,
  idOf: (construct: Construct) => string,
  workflow: MapWorkflow,
): void {
  expect(properties.StateMachineType).toBe('STANDARD');
  expect(properties.TracingConfiguration).toEqual({ Enabled: true });
  expect(properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
  expect(properties.DefinitionSubstitutions).toEqual({
    StepsFunctionArn: { 'Fn::GetAtt': [idOf(workflow.stepsFunction.function), 'Arn'] },
    ItemsBucket: { Ref: idOf(workflow.itemsBucket) },
    Partition: { Ref: 'AWS::Partition' },
  });
}

/** The state machine role: invokes the steps function, reads item lists, runs its own map children; never writes objects or items. */
export function expectMapWorkflowMachineActions(actions: string[]): void {
  expect(actions).toEqual(
    expect.arrayContaining([
      'lambda:InvokeFunction',
      's3:GetObject',
      'states:StartExecution',
      'states:DescribeExecution',
      'states:StopExecution',
    ]),
  );
  expect(actions.filter((action) => action.startsWith('s3:Put'))).toEqual([]);
  expect(actions.filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
}

/** The API role's workflow rights: start, describe and redrive runs, and read their map runs. */
export const MAP_WORKFLOW_API_ACTIONS = [
  'states:StartExecution',
  'states:DescribeExecution',
  'states:RedriveExecution',
  'states:ListMapRuns',
  'states:DescribeMapRun',
] as const;

/** Every route key of the data plane HTTP API in the template. */
export const routeKeysOf = (resources: Record<string, TemplateResource>): unknown[] =>
  Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
    .map((resource) => resource.Properties.RouteKey);

/** A definition Step Functions would accept (asl-validator), with the validator's errors as the failure message. */
export function expectValidAsl(definition: unknown): void {
  const { isValid, errorsText } = aslValidator(definition as never);
  expect(isValid, errorsText('\n')).toBe(true);
}

/**
 * The tests every map workflow passes alike, as a describe block of the calling file: its definition
 * (substituted with exampleSubstitutions(name)) is valid ASL, its state machine has the rights
 * expectMapWorkflowMachineActions names, its API's `routes` are on the data plane HTTP API.
 */
export function describeMapWorkflow(
  name: string,
  plane: SynthesizedDataPlane,
  of: {
    definition: () => StateMachineDefinition;
    workflow: (stack: DataPlaneStack) => MapWorkflow;
    routes: readonly string[];
  },
): void {
  describe(`the ${name} workflow, as every map workflow`, () => {
    it('has a definition that is valid Amazon States Language once substituted, as Step Functions will run it', () => {
      expectValidAsl(substituteWorkflow(of.definition(), exampleSubstitutions(name)));
    });

    it('has a state machine that may invoke the steps function, read item lists and run its own map children; nothing else', () => {
      const { stateMachine } = of.workflow(plane.stack);
      expectMapWorkflowMachineActions(allActions(plane.roleStatements(stateMachine.role)));
    });

    it("serves its API's routes on the data plane HTTP API", () => {
      expect(routeKeysOf(plane.resources)).toEqual(expect.arrayContaining([...of.routes]));
    });
  });
}
