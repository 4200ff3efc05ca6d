/**
 * The evaluation queue's messages: one task names one event and one evaluator version, never the
 * event's contents (the worker reads the event itself, so a task stays a few hundred bytes whatever
 * the event's size, far inside SQS's 1 MiB message limit, queue-limits.ts). Parsing is strict: a
 * task the worker does not understand fails its message, which SQS retries and then dead-letters;
 * it is never dropped.
 */
import { createHash } from 'node:crypto';
import type { Tenant } from '../../events/event';
import type { QueueMessage } from '../../ports';
import { SQS_MAX_MESSAGE_BYTES } from '../../queue-limits';

export const EVALUATION_TASK_VERSION = 1;

export interface EvaluationTask extends Tenant {
  v: typeof EVALUATION_TASK_VERSION;
  event_id: string;
  session_id: string;
  /** Epoch ms: where the event lies, so the worker's read is bounded to its day. */
  start_time: number;
  evaluator_id: string;
  evaluator_version: number;
  /** Who asked: 'online', 'backfill:<run id>'. */
  source: string;
  /**
   * A session task (event_id is then the session's id): the session is scored once it has been quiet,
   * i.e. when none of its events was accepted after `queued_at` (epoch ms), else a later task scores it.
   */
  session?: { queued_at: number };
}

/** Ids and names in a task are short; anything longer is not one of ours. */
const MAX_ID_CHARS = 256;

export class MalformedTaskError extends Error {
  override readonly name = 'MalformedTaskError';
}

export function taskMessage(task: EvaluationTask): QueueMessage {
  const body = JSON.stringify(task);
  if (Buffer.byteLength(body, 'utf8') > SQS_MAX_MESSAGE_BYTES)
    throw new MalformedTaskError(`an evaluation task is larger than SQS's ${SQS_MAX_MESSAGE_BYTES} bytes`);
  // One id per event and evaluator version (SQS batch entry ids: up to 80 of [A-Za-z0-9_-]).
  const id = createHash('sha256')
    .update(`${task.event_id}\u0000${task.evaluator_id}\u0000${task.evaluator_version}`)
    .update(task.session ? `\u0000${task.session.queued_at}` : '')
    .digest('hex');
  return { id, body };
}

export function parseTask(body: string): EvaluationTask {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new MalformedTaskError('the task is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new MalformedTaskError('the task is not an object');
  const task = value as Record<string, unknown>;
  if (task.v !== EVALUATION_TASK_VERSION)
    throw new MalformedTaskError(`unknown task version ${String(task.v)}`);
  for (const name of [
    'org_id',
    'workspace_id',
    'project_id',
    'event_id',
    'session_id',
    'evaluator_id',
    'source',
  ]) {
    const field = task[name];
    if (typeof field !== 'string' || field.length === 0 || field.length > MAX_ID_CHARS)
      throw new MalformedTaskError(`the task's ${name} is missing or not a short string`);
  }
  for (const name of ['start_time', 'evaluator_version']) {
    if (!Number.isSafeInteger(task[name]) || (task[name] as number) < 0)
      throw new MalformedTaskError(`the task's ${name} is not a whole number`);
  }
  const known = new Set([
    'v',
    'org_id',
    'workspace_id',
    'project_id',
    'event_id',
    'session_id',
    'start_time',
    'evaluator_id',
    'evaluator_version',
    'source',
    'session',
  ]);
  if (task.session !== undefined) {
    const session = task.session as Record<string, unknown> | null;
    if (
      typeof session !== 'object' ||
      session === null ||
      !Number.isSafeInteger(session.queued_at) ||
      Object.keys(session).length !== 1
    )
      throw new MalformedTaskError("the task's session is not {queued_at}");
  }
  const unknown = Object.keys(task).filter((name) => !known.has(name));
  if (unknown.length > 0) throw new MalformedTaskError(`the task has unknown fields: ${unknown.join(', ')}`);
  return task as unknown as EvaluationTask;
}
