/**
 * A workflow's executions on the local platform (domain/workflows/workflow.ts): the state machine's
 * own definition run by an ASL interpreter (aws-local-stepfunctions), its Task states answered by the
 * same steps function the state machine invokes on AWS. Backfills and server-side experiments both
 * run through it. That interpreter runs a Distributed Map as an inline Map and has no ItemReader nor
 * tolerated failures, so the definition is rewritten before it runs (localWorkflowDefinition):
 *
 * - a `ReadItems` Task between the prepare state and the map reads the item list from the local
 *   object store (the S3 object the ItemReader would read) into `$.items`, the Map's ItemsPath;
 * - each item's task (after its retries) catches its failure into `{failed: item}`, and a
 *   `CheckTolerance` Task after the Map fails the run when the failed items are more than
 *   ToleratedFailurePercentage of all (the error AWS raises: States.ExceedToleratedFailureThreshold);
 * - a redrive runs the rewritten definition from the map on the failed items only, and the items
 *   that succeeded before count with the new ones, as Step Functions' redrive of a Map Run.
 *
 * What both workflows' definitions share for this: the execution's input is `{run}`, the prepare
 * state's result (with `items_key` and `batches`) is `$.prepared`, the map's ItemSelector names the
 * item `item`, its processor is one Task state, and each item's result names its `batch`.
 *
 * Each run's record is a JSON file in `dir`; a run the platform stopped in the middle is FAILED
 * when it starts again (redrive it).
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { ConflictError } from '../domain/errors';
import type { ObjectStore } from '../domain/ports';
import { type StateMachineDefinition, substituteWorkflow } from '../domain/workflows/asl';
import type { WorkflowExecution, WorkflowRunner } from '../domain/workflows/workflow';

/** The states of a workflow's definition the rewrite works on. */
export interface WorkflowShape {
  /** The definition, its placeholders not yet replaced. */
  definition: () => StateMachineDefinition;
  /** The Task state that writes the item list (its result is `$.prepared`). */
  prepareState: string;
  /** The Distributed Map state. */
  mapState: string;
  /** The one Task state of the map's processor. */
  itemState: string;
}

/** The ARN the rewritten definition's own Tasks name (answered by local handlers, never invoked). */
export const LOCAL_TASK_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:waggle-local-workflow';
const TOLERANCE_ERROR = 'States.ExceedToleratedFailureThreshold';

/** A Task state's local handler (the interpreter's JSON types are not exported: values pass as they are). */
type LocalHandler = (value: never) => Promise<unknown>;
type MapState = Record<string, unknown> & {
  ItemProcessor: { States: Record<string, Record<string, unknown>>; ProcessorConfig?: unknown };
};

/**
 * The definition as the interpreter can run it (see the module's comment); `redrive` starts at the
 * map with the failed items as `$.items`.
 */
export function localWorkflowDefinition(shape: WorkflowShape, redrive: boolean): StateMachineDefinition {
  const definition = substituteWorkflow(shape.definition(), {
    stepsFunctionArn: LOCAL_TASK_ARN,
    itemsBucket: 'local',
    partition: 'aws',
  });
  const states = definition.States;
  const map = states[shape.mapState] as MapState;
  const reader = map.ItemReader as { Parameters: Record<string, string> };
  states[shape.prepareState] = { ...states[shape.prepareState], Next: 'ReadItems' };
  states.ReadItems = {
    Type: 'Task',
    Resource: LOCAL_TASK_ARN,
    Parameters: { 'key.$': reader.Parameters['Key.$'] },
    ResultPath: '$.items',
    Next: shape.mapState,
  };
  const {
    ItemReader: _reader,
    ToleratedFailurePercentage: _tolerance,
    Next: afterMap,
    ...inline
  } = map as MapState & { Next: string };
  const { ProcessorConfig: _config, ...processor } = map.ItemProcessor;
  states[shape.mapState] = {
    ...inline,
    ItemsPath: '$.items',
    ItemProcessor: {
      ...processor,
      States: {
        ...processor.States,
        [shape.itemState]: {
          ...processor.States[shape.itemState],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'ItemFailed' }],
        },
        ItemFailed: { Type: 'Pass', Parameters: { 'failed.$': '$.item' }, End: true },
      },
    },
    Next: 'CheckTolerance',
  };
  states.CheckTolerance = {
    Type: 'Task',
    Resource: LOCAL_TASK_ARN,
    Parameters: { 'results.$': '$.results' },
    ResultPath: '$.results',
    Next: afterMap,
  };
  if (!redrive) return definition;
  const fromTheMap = Object.fromEntries(
    Object.entries(states).filter(([name]) => name !== shape.prepareState && name !== 'ReadItems'),
  );
  return { ...definition, StartAt: shape.mapState, States: fromTheMap };
}

/** The map's tolerance, as the definition states it. */
export function toleratedFailurePercentage(shape: WorkflowShape): number {
  return Number(shape.definition().States[shape.mapState]?.ToleratedFailurePercentage ?? 0);
}

interface LocalRecord<Run> extends WorkflowExecution<Run> {
  prepared?: { batches: number };
  /** Results of the items that succeeded, by batch. */
  succeeded: { batch: number }[];
  failed_items: unknown[];
}

export interface LocalWorkflowOptions {
  shape: WorkflowShape;
  dir: string;
  /** The steps function: every Task state of the definition is answered by it. */
  steps: (input: never) => Promise<unknown>;
  /** The object store the prepare step writes item lists to. */
  items: ObjectStore;
  clock?: () => number;
  /** Milliseconds each retry of a state waits (the definition's intervals when absent; tests pass 0). */
  retryIntervalMs?: number;
  onFinished?: (execution: WorkflowExecution<unknown>) => void;
}

export interface LocalWorkflow<Run> extends WorkflowRunner<Run> {
  /** Resolves when the run's current execution has ended (tests and the CLI wait on it). */
  settled(id: string): Promise<void>;
}

export async function openLocalWorkflow<Run>(options: LocalWorkflowOptions): Promise<LocalWorkflow<Run>> {
  const { shape } = options;
  const clock = options.clock ?? Date.now;
  const tolerance = toleratedFailurePercentage(shape);
  await mkdir(options.dir, { recursive: true });
  const running = new Map<string, Promise<void>>();
  const fileOf = (id: string) => join(options.dir, `${id}.json`);

  let saves = 0;
  async function save(record: LocalRecord<Run>): Promise<void> {
    saves += 1;
    const temp = `${fileOf(record.id)}.${process.pid}-${saves}.tmp`;
    await writeFile(temp, JSON.stringify(record));
    await rename(temp, fileOf(record.id));
  }
  async function load(id: string): Promise<LocalRecord<Run> | undefined> {
    try {
      // Records written before runs were named `id` (a backfill's `backfill_id`) take the file's name.
      const record = JSON.parse(await readFile(fileOf(id), 'utf8')) as LocalRecord<Run>;
      return { ...record, id: record.id ?? id };
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

  function taskHandlers(record: LocalRecord<Run>): Record<string, LocalHandler> {
    const handlers: Record<string, LocalHandler> = {};
    for (const name of taskStates(shape)) handlers[name] = async (value: never) => options.steps(value);
    handlers[shape.prepareState] = async (value: never) => {
      const prepared = (await options.steps(value)) as { batches: number };
      record.prepared = prepared;
      record.items = { total: prepared.batches, succeeded: 0, failed: 0, pending: prepared.batches };
      await save(record);
      return prepared;
    };
    handlers.ReadItems = async (value: never) => {
      const key = (value as { key: string }).key;
      const bytes = await options.items.get(key);
      if (!bytes) throw new Error(`the item list ${key} is missing`);
      return JSON.parse(new TextDecoder().decode(bytes));
    };
    handlers.CheckTolerance = async (value: never) => {
      const results = (value as { results: ({ failed?: unknown } | { batch: number })[] }).results;
      const failed = results.flatMap((result) =>
        'failed' in result && result.failed !== undefined ? [result.failed] : [],
      );
      const succeeded = results.filter((result): result is { batch: number } => !('failed' in result));
      record.succeeded = [
        ...record.succeeded.filter((old) => !succeeded.some((now) => now.batch === old.batch)),
        ...succeeded,
      ];
      record.failed_items = failed;
      const total = record.prepared?.batches ?? results.length;
      record.items = { total, succeeded: record.succeeded.length, failed: failed.length, pending: 0 };
      await save(record);
      if (total > 0 && (failed.length / total) * 100 > tolerance)
        throw Object.assign(new Error(`${failed.length} of ${total} batches failed`), {
          name: TOLERANCE_ERROR,
        });
      return record.succeeded;
    };
    return handlers;
  }

  function execute(record: LocalRecord<Run>, redrive: boolean): void {
    const machine = new StateMachine(localWorkflowDefinition(shape, redrive) as never, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
    const input = redrive
      ? { run: record.run, prepared: record.prepared, items: record.failed_items }
      : { run: record.run };
    const handlers = taskHandlers(record);
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
      async (output) => {
        await finish(record, { status: 'SUCCEEDED', output });
      },
      async (error: unknown) => {
        await finish(record, { status: 'FAILED', error: describeFailure(error) });
      },
    );
    running.set(record.id, done);
  }

  async function finish(record: LocalRecord<Run>, end: Partial<LocalRecord<Run>>): Promise<void> {
    Object.assign(record, end, { stopped_at: clock() });
    if (end.status === 'SUCCEEDED') {
      record.failed_items = [];
      delete record.error;
    }
    await save(record);
    options.onFinished?.(publicExecution(record));
  }

  return {
    async start(id: string, run: Run) {
      if (await load(id)) throw new ConflictError(`run ${id} exists`);
      const record: LocalRecord<Run> = {
        id,
        status: 'RUNNING',
        run,
        started_at: clock(),
        redrive_count: 0,
        succeeded: [],
        failed_items: [],
      };
      await save(record);
      execute(record, false);
    },
    async describe(id: string) {
      const record = await load(id);
      return record && publicExecution(record);
    },
    async redrive(id: string) {
      const record = await load(id);
      if (!record) throw new ConflictError(`no run ${id}`);
      if (record.status !== 'FAILED')
        throw new ConflictError(`run ${id} is ${record.status}: only a failed run can be redriven`);
      Object.assign(record, { status: 'RUNNING', redrive_count: record.redrive_count + 1 });
      delete record.stopped_at;
      await save(record);
      // Prepared: only the failed batches run again; not prepared: the run starts over.
      execute(record, record.prepared !== undefined);
    },
    async settled(id: string) {
      await running.get(id);
    },
  };
}

/** Every Task state of the definition, the map's processor's included. */
function taskStates(shape: WorkflowShape): string[] {
  const states = shape.definition().States;
  const map = states[shape.mapState] as MapState;
  return [...Object.entries(states), ...Object.entries(map.ItemProcessor.States)]
    .filter(([, state]) => state.Type === 'Task')
    .map(([name]) => name);
}

function publicExecution<Run>(record: LocalRecord<Run>): WorkflowExecution<Run> {
  const { prepared: _prepared, succeeded: _succeeded, failed_items: _failed, ...execution } = record;
  return execution;
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const inner = cause instanceof Error ? cause : error;
    return `${inner.name}: ${inner.message}`;
  }
  return String(error);
}
