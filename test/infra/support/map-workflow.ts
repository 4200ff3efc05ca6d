/**
 * Shared setup, assertions and tests for the data plane's two map workflows (backfills and
 * server-side experiments): both run a Standard state machine over an item list in S3 through a
 * steps function, behind an API that starts, describes and redrives runs. What differs (the
 * definition, the steps function's and the API's own rights) stays in each test file.
 */
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { substituteWorkflow } from '../../../lambdas/domain/workflows/asl';
import { localWorkflowDefinition, type WorkflowShape } from '../../../lambdas/local/workflow-runner';
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
 * (substituted with exampleSubstitutions(name)) is valid ASL, also as the local runner rewrites it
 * (`shape`) for a run and a redrive; its map reads the item list from S3, tolerates
 * `toleratedFailurePercentage` and retries every failure with full jitter, Lambda's throttling first;
 * its state machine runs exactly that definition with the rights expectMapWorkflowMachineActions
 * names; its API's `routes` are on the data plane HTTP API.
 */
export function describeMapWorkflow(
  name: string,
  plane: SynthesizedDataPlane,
  of: {
    shape: WorkflowShape;
    toleratedFailurePercentage: number;
    workflow: (stack: DataPlaneStack) => MapWorkflow;
    routes: readonly string[];
  },
): void {
  const { shape } = of;
  const substituted = () => substituteWorkflow(shape.definition(), exampleSubstitutions(name));

  describe(`the ${name} workflow, as every map workflow`, () => {
    it('has a definition that is valid Amazon States Language once substituted, as Step Functions will run it', () => {
      expectValidAsl(substituted());
    });

    it('is valid as the local runner rewrites it, for a run and for a redrive (the item list inlined)', () => {
      for (const redrive of [false, true]) {
        const rewritten = localWorkflowDefinition(shape, redrive);
        expectValidAsl(rewritten);
        const map = rewritten.States[shape.mapState] as Record<string, unknown>;
        expect(map.ItemReader).toBeUndefined();
        expect(map.ItemsPath).toBe('$.items');
        expect(rewritten.StartAt).toBe(redrive ? shape.mapState : shape.prepareState);
      }
    });

    it('fans out with a Distributed Map over the S3 item list, tolerating a few failed batches, retrying with full jitter', () => {
      const map = substituted().States[shape.mapState] as Record<string, unknown>;
      expect(map).toMatchObject({
        Type: 'Map',
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSON' },
          Parameters: { Bucket: exampleSubstitutions(name).itemsBucket, 'Key.$': '$.prepared.items_key' },
        },
        ToleratedFailurePercentage: of.toleratedFailurePercentage,
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      });
      const retries = itemRetries(map, shape);
      expect(retries[0]?.ErrorEquals).toEqual(expect.arrayContaining(['Lambda.TooManyRequestsException']));
      expect(retries.every((retry) => retry.JitterStrategy === 'FULL')).toBe(true);
    });

    it('has a Standard state machine running exactly that definition, logged and traced', () => {
      const workflow = of.workflow(plane.stack);
      const properties = (plane.resources[plane.idOf(workflow.stateMachine)] as TemplateResource).Properties;
      expectMapWorkflowMachine(properties, plane.idOf, workflow);
      expect(properties.DefinitionString).toEqual(JSON.stringify(shape.definition()));
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

/** The retries of the map's one Task state, in order. */
export function itemRetries(map: Record<string, unknown>, shape: WorkflowShape): Record<string, unknown>[] {
  const states = (map.ItemProcessor as { States: Record<string, { Retry: Record<string, unknown>[] }> })
    .States;
  return states[shape.itemState]?.Retry ?? [];
}
