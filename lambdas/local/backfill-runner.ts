/**
 * Backfills on the local platform: the workflow's own definition (lambdas/backfill-steps/definition.ts)
 * run by an ASL interpreter (aws-local-stepfunctions), its Task states answered by the same steps
 * function the state machine invokes on AWS. That interpreter runs a Distributed Map as an inline
 * Map and has no ItemReader nor tolerated failures, so the definition is rewritten before it runs:
 *
 * - a `ReadItems` Task between Prepare and ScoreBatches reads the item list from the local object
 *   store (the S3 object the ItemReader would read) into `$.items`, the Map's ItemsPath;
 * - each item's ScoreBatch (after its retries) catches its failure into `{failed: item}`, and a
 *   `CheckTolerance` Task after the Map fails the run when the failed items are more than
 *   ToleratedFailurePercentage of all (the error AWS raises: States.ExceedToleratedFailureThreshold);
 * - a redrive runs the rewritten definition from ScoreBatches on the failed items only, and the
 *   items that succeeded before count with the new ones, as Step Functions' redrive of a Map Run.
 *
 * Each run's record is a JSON file in `dir`; a run the platform stopped in the middle is FAILED
 * when it starts again (redrive it).
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import type { BackfillSteps } from '../backfill-steps/app';
import {
  backfillDefinition,
  type StateMachineDefinition,
  substitutedDefinition,
} from '../backfill-steps/definition';
import { ConflictError } from '../domain/errors';
import type { BackfillRun } from '../domain/evaluators/backfill/request';
import { type BackfillRunner, type BackfillState, belongsTo } from '../domain/evaluators/backfill/runs';
import type {
  BackfillItem,
  BackfillTotals,
  BatchResult,
  PreparedBackfill,
} from '../domain/evaluators/backfill/steps';
import type { Tenant } from '../domain/events/event';
import type { ObjectStore } from '../domain/ports';

/** A Task state's local handler (the interpreter's JSON types are not exported: values pass as they are). */
type LocalHandler = (value: never) => Promise<unknown>;

const LOCAL_STEPS_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:waggle-backfill-steps';
const TOLERANCE_ERROR = 'States.ExceedToleratedFailureThreshold';

interface LocalRecord extends BackfillState {
  prepared?: PreparedBackfill;
  /** Results of the items that succeeded, by batch. */
  succeeded: BatchResult[];
  failed_items: BackfillItem[];
}

export interface BackfillRunnerOptions {
  dir: string;
  steps: BackfillSteps;
  /** The object store the prepare step writes item lists to. */
  items: ObjectStore;
  clock?: () => number;
  /** Milliseconds each retry of a state waits (the definition's intervals when absent; tests pass 0). */
  retryIntervalMs?: number;
  onFinished?: (state: BackfillState) => void;
}

export interface LocalBackfillRunner extends BackfillRunner {
  /** Resolves when the run's current execution has ended (tests and the CLI wait on it). */
  settled(backfillId: string): Promise<void>;
}

export async function openBackfillRunner(options: BackfillRunnerOptions): Promise<LocalBackfillRunner> {
  const clock = options.clock ?? Date.now;
  await mkdir(options.dir, { recursive: true });
  const running = new Map<string, Promise<void>>();
  const fileOf = (id: string) => join(options.dir, `${id}.json`);

  let saves = 0;
  async function save(record: LocalRecord): Promise<void> {
    saves += 1;
    const temp = `${fileOf(record.backfill_id)}.${process.pid}-${saves}.tmp`;
    await writeFile(temp, JSON.stringify(record));
    await rename(temp, fileOf(record.backfill_id));
  }
  async function load(id: string): Promise<LocalRecord | undefined> {
    try {
      return JSON.parse(await readFile(fileOf(id), 'utf8')) as LocalRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  // Runs left RUNNING by a stop cannot resume here: they failed, and a redrive picks them up.
  for (const name of await readdir(options.dir)) {
    if (!name.endsWith('.json')) continue;
    const record = await load(name.slice(0, -'.json'.length));
    if (record?.status === 'RUNNING')
      await save({
        ...record,
        status: 'FAILED',
        error: 'the local platform stopped during the run; redrive it',
        stopped_at: clock(),
      });
  }

  function execute(record: LocalRecord, redrive: boolean): void {
    const machine = new StateMachine(localDefinition(redrive) as never, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
    const input = redrive
      ? { run: record.run, prepared: record.prepared, items: record.failed_items }
      : { run: record.run };
    const handlers: Record<string, LocalHandler> = {
      Prepare: async (value: never) => {
        const prepared = (await options.steps(value)) as PreparedBackfill;
        record.prepared = prepared;
        record.items = { total: prepared.batches, succeeded: 0, failed: 0, pending: prepared.batches };
        await save(record);
        return prepared;
      },
      ReadItems: async (value: never) => {
        const key = (value as { key: string }).key;
        const bytes = await options.items.get(key);
        if (!bytes) throw new Error(`the item list ${key} is missing`);
        return JSON.parse(new TextDecoder().decode(bytes));
      },
      ScoreBatch: async (value: never) => options.steps(value),
      CheckTolerance: async (value: never) => {
        const results = (value as { results: ({ failed?: BackfillItem } | BatchResult)[] }).results;
        const failed = results.flatMap((result) =>
          'failed' in result && result.failed ? [result.failed] : [],
        );
        const succeeded = results.filter((result): result is BatchResult => !('failed' in result));
        record.succeeded = [
          ...record.succeeded.filter((old) => !succeeded.some((now) => now.batch === old.batch)),
          ...succeeded,
        ];
        record.failed_items = failed;
        const total = record.prepared?.batches ?? results.length;
        record.items = { total, succeeded: record.succeeded.length, failed: failed.length, pending: 0 };
        await save(record);
        if (total > 0 && (failed.length / total) * 100 > TOLERATED_FAILURE_PERCENTAGE)
          throw Object.assign(new Error(`${failed.length} of ${total} batches failed`), {
            name: TOLERANCE_ERROR,
          });
        return record.succeeded;
      },
      Finalize: async (value: never) => options.steps(value),
    };
    const overrides =
      options.retryIntervalMs === undefined
        ? { taskResourceLocalHandlers: handlers }
        : {
            taskResourceLocalHandlers: handlers,
            retryIntervalOverrides: Object.fromEntries(
              Object.keys(handlers).map((name) => [name, options.retryIntervalMs as number]),
            ),
          };
    const execution = machine.run(input as never, { overrides: overrides as never });
    const done = execution.result.then(
      async (totals) => {
        await finish(record, { status: 'SUCCEEDED', totals: totals as unknown as BackfillTotals });
      },
      async (error: unknown) => {
        await finish(record, { status: 'FAILED', error: describeFailure(error) });
      },
    );
    running.set(record.backfill_id, done);
  }

  async function finish(record: LocalRecord, end: Partial<LocalRecord>): Promise<void> {
    Object.assign(record, end, { stopped_at: clock() });
    if (end.status === 'SUCCEEDED') {
      record.failed_items = [];
      delete record.error;
    }
    await save(record);
    options.onFinished?.(publicState(record));
  }

  return {
    async start(run: BackfillRun) {
      const record: LocalRecord = {
        backfill_id: run.backfill_id,
        status: 'RUNNING',
        run,
        started_at: clock(),
        redrive_count: 0,
        succeeded: [],
        failed_items: [],
      };
      if (await load(run.backfill_id)) throw new ConflictError(`backfill ${run.backfill_id} exists`);
      await save(record);
      execute(record, false);
    },
    async describe(tenant: Tenant, backfillId: string) {
      const record = await load(backfillId);
      return record && belongsTo(record.run, tenant) ? publicState(record) : undefined;
    },
    async redrive(tenant: Tenant, backfillId: string) {
      const record = await load(backfillId);
      if (!record || !belongsTo(record.run, tenant)) throw new ConflictError(`no backfill ${backfillId}`);
      if (record.status !== 'FAILED')
        throw new ConflictError(
          `backfill ${backfillId} is ${record.status}: only a failed run can be redriven`,
        );
      Object.assign(record, { status: 'RUNNING', redrive_count: record.redrive_count + 1 });
      delete record.stopped_at;
      await save(record);
      // Prepared: only the failed batches run again; not prepared: the run starts over.
      execute(record, record.prepared !== undefined);
    },
    async settled(backfillId: string) {
      await running.get(backfillId);
    },
  };
}

/** The map's tolerance, as the definition states it. */
const TOLERATED_FAILURE_PERCENTAGE = Number(
  backfillDefinition().States.ScoreBatches?.ToleratedFailurePercentage ?? 0,
);

function publicState(record: LocalRecord): BackfillState {
  const { prepared: _prepared, succeeded: _succeeded, failed_items: _failed, ...state } = record;
  return state;
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const inner = cause instanceof Error ? cause : error;
    return `${inner.name}: ${inner.message}`;
  }
  return String(error);
}

/**
 * The definition as the interpreter can run it (see the module's comment); `redrive` starts at
 * ScoreBatches with the failed items as `$.items`.
 */
export function localDefinition(redrive: boolean): StateMachineDefinition {
  const definition = substitutedDefinition({
    stepsFunctionArn: LOCAL_STEPS_ARN,
    itemsBucket: 'local',
    partition: 'aws',
  });
  const states = definition.States;
  const map = states.ScoreBatches as Record<string, unknown> & {
    ItemProcessor: { States: Record<string, Record<string, unknown>>; ProcessorConfig?: unknown };
  };
  const reader = map.ItemReader as { Parameters: Record<string, string> };
  states.Prepare = { ...states.Prepare, Next: 'ReadItems' };
  states.ReadItems = {
    Type: 'Task',
    Resource: LOCAL_STEPS_ARN,
    Parameters: { 'key.$': reader.Parameters['Key.$'] },
    ResultPath: '$.items',
    Next: 'ScoreBatches',
  };
  const { ItemReader: _reader, ToleratedFailurePercentage: _tolerance, ...inline } = map;
  const { ProcessorConfig: _config, ...processor } = map.ItemProcessor;
  states.ScoreBatches = {
    ...inline,
    ItemsPath: '$.items',
    ItemProcessor: {
      ...processor,
      States: {
        ...processor.States,
        ScoreBatch: {
          ...processor.States.ScoreBatch,
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'BatchFailed' }],
        },
        BatchFailed: { Type: 'Pass', Parameters: { 'failed.$': '$.item' }, End: true },
      },
    },
    Next: 'CheckTolerance',
  };
  states.CheckTolerance = {
    Type: 'Task',
    Resource: LOCAL_STEPS_ARN,
    Parameters: { 'results.$': '$.results' },
    ResultPath: '$.results',
    Next: 'Finalize',
  };
  if (!redrive) return definition;
  const { Prepare: _prepare, ReadItems: _read, ...fromTheMap } = states;
  return { ...definition, StartAt: 'ScoreBatches', States: fromTheMap };
}
