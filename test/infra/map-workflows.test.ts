/**
 * The data plane's Distributed Map services (lib/data-plane/map-workflow.ts's MapWorkflowService),
 * one synthesis for the file, bundling skipped. Each runs its own definition (valid ASL as deployed
 * and as the local runner rewrites it, Distributed Map over its item list in S3, tolerated failures,
 * retries with full jitter) as a Standard state machine, logged and traced; what the state machine,
 * the steps function and the API may do, and what they may not; the API's routes.
 * - Backfills (lib/data-plane/backfills.ts, lambdas/backfill-steps/definition.ts).
 * - Server-side experiments (lib/data-plane/experiments.ts, lambdas/experiment-steps/definition.ts),
 *   at the run's own concurrency.
 */
import { describe, expect, it } from 'vitest';
import { BACKFILL_MAX_CONCURRENCY, backfillDefinition } from '../../lambdas/backfill-steps/definition';
import { BACKFILLS_ROUTES } from '../../lambdas/backfills-api/routes';
import { BACKFILL_TOLERATED_FAILURE_PERCENTAGE } from '../../lambdas/domain/evaluators/backfill/request';
import { EXPERIMENT_TOLERATED_FAILURE_PERCENTAGE } from '../../lambdas/domain/experiments/server/request';
import { substituteWorkflow } from '../../lambdas/domain/workflows/asl';
import { experimentDefinition } from '../../lambdas/experiment-steps/definition';
import { EXPERIMENTS_ROUTES } from '../../lambdas/experiments-api/routes';
import { BACKFILL_SHAPE } from '../../lambdas/local/backfill-runner';
import { EXPERIMENT_SHAPE } from '../../lambdas/local/experiments-local';
import {
  describeMapWorkflow,
  exampleSubstitutions,
  itemRetries,
  MAP_WORKFLOW_API_ACTIONS,
  synthesizedForFile,
} from './support/map-workflow';
import { actionsOf, allActions, type TemplateResource } from './support/policies';

const plane = synthesizedForFile();

describe('backfills', () => {
  describeMapWorkflow('backfill', plane, {
    shape: BACKFILL_SHAPE,
    toleratedFailurePercentage: BACKFILL_TOLERATED_FAILURE_PERCENTAGE,
    workflow: (stack) => stack.backfills,
    routes: BACKFILLS_ROUTES,
  });

  describe('the backfill definition', () => {
    it('scores a fixed number of batches at once, each retried for Lambda throttling and then its own failure', () => {
      const map = substituteWorkflow(backfillDefinition(), exampleSubstitutions('backfill')).States
        .ScoreBatches as Record<string, unknown>;
      expect(map.MaxConcurrency).toBe(BACKFILL_MAX_CONCURRENCY);
      expect(itemRetries(map, BACKFILL_SHAPE).map((retry) => retry.ErrorEquals)).toEqual([
        expect.arrayContaining(['Lambda.TooManyRequestsException']),
        ['States.TaskFailed'],
      ]);
    });
  });

  describe('the steps function', () => {
    it('runs metrics as the evaluation worker does and writes item lists, outside any VPC', () => {
      const fn = plane.resources[
        plane.idOf(plane.stack.backfills.stepsFunction.function)
      ] as TemplateResource;
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
});

describe('server-side experiments', () => {
  describeMapWorkflow('experiment', plane, {
    shape: EXPERIMENT_SHAPE,
    toleratedFailurePercentage: EXPERIMENT_TOLERATED_FAILURE_PERCENTAGE,
    workflow: (stack) => stack.experiments,
    routes: EXPERIMENTS_ROUTES,
  });

  describe('the experiment definition', () => {
    it("runs at the run's own concurrency, retrying Lambda throttling, then the project's rate limit, then a batch's own failure", () => {
      const map = substituteWorkflow(experimentDefinition(), exampleSubstitutions('experiment')).States
        .RunBatches as Record<string, unknown>;
      expect(map.MaxConcurrencyPath).toBe('$.run.max_concurrency');
      expect(itemRetries(map, EXPERIMENT_SHAPE).map((retry) => retry.ErrorEquals)).toEqual([
        expect.arrayContaining(['Lambda.TooManyRequestsException']),
        ['ExperimentThrottled'],
        ['States.TaskFailed'],
      ]);
    });
  });

  describe('the experiment state machine', () => {
    it('has an item bucket under a key of its own, not the backfills one', () => {
      expect(plane.idOf(plane.stack.experiments.itemsBucket)).not.toBe(
        plane.idOf(plane.stack.backfills.itemsBucket),
      );
      expect(plane.idOf(plane.stack.experiments.itemsKey)).not.toBe(
        plane.idOf(plane.stack.backfills.itemsKey),
      );
    });
  });

  describe('the steps function', () => {
    it('calls providers as the proxy does, runs metrics, reads datapoints, writes runs and item lists; never runs workflows', () => {
      const fn = plane.resources[
        plane.idOf(plane.stack.experiments.stepsFunction.function)
      ] as TemplateResource;
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables).toMatchObject({
        EXPERIMENT_ITEMS_BUCKET: { Ref: plane.idOf(plane.stack.experiments.itemsBucket) },
        EVENTS_QUEUE_URL: { Ref: plane.idOf(plane.stack.eventsQueue.queue) },
        DATASETS_TABLE_NAME: { Ref: plane.idOf(plane.stack.datasetsApi.store.table) },
      });
      const actions = allActions(plane.roleStatements(plane.stack.experiments.stepsFunction.role));
      expect(actions).toEqual(
        expect.arrayContaining([
          'dynamodb:BatchGetItem',
          'dynamodb:PutItem',
          's3:GetObject',
          's3:PutObject',
          'sqs:SendMessage',
          'kms:Decrypt',
        ]),
      );
      expect(actions.filter((action) => action.startsWith('states:'))).toEqual([]);
      expect(actions).not.toContain('dynamodb:DeleteItem');
      // Its only function is the evaluator executor (the run's Python metrics).
      const invokes = plane
        .roleStatements(plane.stack.experiments.stepsFunction.role)
        .filter((statement) => actionsOf(statement).includes('lambda:InvokeFunction'));
      expect(JSON.stringify(invokes.map((statement) => statement.Resource))).toContain(
        plane.idOf(plane.stack.evaluatorExecutor.function),
      );
      expect(JSON.stringify(invokes.map((statement) => statement.Resource))).not.toContain(
        plane.idOf(plane.stack.experiments.stepsFunction.function),
      );
    });
  });

  describe('the experiments API', () => {
    it('may record runs, start, describe and redrive executions and keep headers; never call providers or queue events', () => {
      const statements = plane.roleStatements(plane.stack.experiments.apiFunction.role);
      const actions = allActions(statements);
      expect(actions).toEqual(expect.arrayContaining([...MAP_WORKFLOW_API_ACTIONS, 'dynamodb:PutItem']));
      expect(actions).not.toContain('sqs:SendMessage');
      expect(actions).not.toContain('bedrock:InvokeModel');
      expect(actions).not.toContain('lambda:InvokeFunction');
      // Its only S3 right is writing under the experiments prefix of its own bucket.
      const s3 = statements.filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('s3:')),
      );
      expect(s3.flatMap(actionsOf)).toEqual(['s3:PutObject']);
      expect(JSON.stringify(s3[0]?.Resource)).toContain(plane.idOf(plane.stack.experiments.itemsBucket));
      // The proxy limits: read only.
      const limits = plane.idOf(plane.stack.proxyLimits.limitsTable);
      const onLimits = statements.filter((statement) => JSON.stringify(statement.Resource).includes(limits));
      expect(onLimits.flatMap(actionsOf)).toEqual(['dynamodb:GetItem']);
    });
  });
});
