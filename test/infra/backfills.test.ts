/**
 * Backfills on each data plane (lib/data-plane/backfills.ts): the Standard state machine runs the
 * definition of lambdas/backfill-steps/definition.ts (valid ASL, Distributed Map over the item list
 * in S3, tolerated failures, retries with jitter) with its placeholders substituted; what the state
 * machine, the steps function and the API may do, and what they may not; the API's routes. One
 * synthesis for the file, bundling skipped.
 */
import { describe, expect, it } from 'vitest';
import { backfillDefinition } from '../../lambdas/backfill-steps/definition';
import { BACKFILLS_ROUTES } from '../../lambdas/backfills-api/routes';
import { BACKFILL_TOLERATED_FAILURE_PERCENTAGE } from '../../lambdas/domain/evaluators/backfill/request';
import { substituteWorkflow } from '../../lambdas/domain/workflows/asl';
import { localDefinition } from '../../lambdas/local/backfill-runner';
import {
  describeMapWorkflow,
  exampleSubstitutions,
  expectMapWorkflowMachine,
  expectValidAsl,
  MAP_WORKFLOW_API_ACTIONS,
  synthesizedForFile,
} from './support/map-workflow';
import { actionsOf, allActions, type TemplateResource } from './support/policies';

const plane = synthesizedForFile();

describeMapWorkflow('backfill', plane, {
  definition: backfillDefinition,
  workflow: (stack) => stack.backfills,
  routes: BACKFILLS_ROUTES,
});

describe('the backfill definition', () => {
  const arns = exampleSubstitutions('backfill');

  it('is valid as the local runner rewrites it, for a run and for a redrive', () => {
    for (const redrive of [false, true]) {
      expectValidAsl(localDefinition(redrive));
    }
  });

  it('fans out with a Distributed Map over the S3 item list, tolerating a few failed batches, retrying with jitter', () => {
    const map = substituteWorkflow(backfillDefinition(), arns).States.ScoreBatches as Record<string, unknown>;
    expect(map).toMatchObject({
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { Bucket: arns.itemsBucket },
      },
      ToleratedFailurePercentage: BACKFILL_TOLERATED_FAILURE_PERCENTAGE,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
    });
    const retries = JSON.stringify((map.ItemProcessor as { States: unknown }).States);
    expect(retries).toContain('"JitterStrategy":"FULL"');
    expect(retries).toContain('Lambda.TooManyRequestsException');
  });
});

describe('the backfill state machine', () => {
  const machine = () => plane.resources[plane.idOf(plane.stack.backfills.stateMachine)] as TemplateResource;

  it('is a Standard workflow running the definition with its placeholders substituted, logged and traced', () => {
    const properties = machine().Properties;
    expectMapWorkflowMachine(properties, plane.idOf, plane.stack.backfills);
    const definition = JSON.parse(
      JSON.stringify(properties.DefinitionString).replace(/^"|"$/g, '').replace(/\\"/g, '"'),
    );
    expect(definition.States.ScoreBatches.ItemReader).toBeDefined();
    expect(JSON.stringify(definition)).toEqual(JSON.stringify(backfillDefinition()));
  });
});

describe('the steps function', () => {
  it('runs metrics as the evaluation worker does and writes item lists, outside any VPC', () => {
    const fn = plane.resources[plane.idOf(plane.stack.backfills.stepsFunction.function)] as TemplateResource;
    expect(fn.Properties.VpcConfig).toBeUndefined();
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({
      BACKFILL_ITEMS_BUCKET: { Ref: plane.idOf(plane.stack.backfills.itemsBucket) },
      EVALUATOR_EXECUTOR_FUNCTION_NAME: { Ref: plane.idOf(plane.stack.evaluatorExecutor.function) },
      EVENTS_QUEUE_URL: { Ref: plane.idOf(plane.stack.eventsQueue.queue) },
    });
    const actions = allActions(plane.roleStatements(plane.stack.backfills.stepsFunction.role));
    expect(actions).toEqual(
      expect.arrayContaining(['lambda:InvokeFunction', 's3:PutObject', 'sqs:SendMessage']),
    );
    expect(actions.filter((action) => action.startsWith('states:'))).toEqual([]);
  });
});

describe('the backfills API', () => {
  it('may start, describe and redrive runs, count events and read metrics; never run metrics or write item lists', () => {
    const statements = plane.roleStatements(plane.stack.backfills.apiFunction.role);
    const actions = allActions(statements);
    expect(actions).toEqual(
      expect.arrayContaining([...MAP_WORKFLOW_API_ACTIONS, 'athena:StartQueryExecution']),
    );
    expect(actions).not.toContain('lambda:InvokeFunction');
    expect(actions).not.toContain('sqs:SendMessage');
    // Its only writes are Athena's query results, never the item lists.
    const items = plane.idOf(plane.stack.backfills.itemsBucket);
    const writes = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:Put')),
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const statement of writes) expect(JSON.stringify(statement.Resource)).not.toContain(items);
  });
});
