/**
 * The evaluation worker's work on one batch of tasks: each task's evaluator version and event are
 * read, the event is evaluated (evaluate-event.ts), and the batch's scores are saved together. A
 * message fails (and comes back, then goes to the dead-letter queue) when its task is malformed,
 * its event cannot be read yet, the sandbox failed, or the scores could not be saved; a task whose
 * evaluator was deleted since is done with no score.
 */
import type { Tenant, WaggleEvent } from '../../events/event';
import { runWithConcurrency } from '../../run-with-concurrency';
import type { EvaluatorCatalog, EvaluatorDefinition, ScoreRecord } from '../evaluator';
import { type EvaluateEventDeps, evaluateEvent } from './evaluate-event';
import { OnlineSelector } from './select';
import { type EvaluationTask, parseTask } from './tasks';

export interface EvaluationWorkerDeps {
  catalog: Pick<EvaluatorCatalog, 'get'>;
  /** The event (newest version, as reads return it) and its session event when there is one. */
  readEvent(
    tenant: Tenant,
    eventId: string,
    startTime: number,
  ): Promise<{ event: WaggleEvent; session?: WaggleEvent } | undefined>;
  /**
   * A session's own event and when its latest event was accepted (max ingested_at), for session
   * tasks; undefined when none of its events is readable yet, `event` undefined when it has no
   * session event (nothing to score).
   */
  readSession?(
    tenant: Tenant,
    sessionId: string,
  ): Promise<{ event?: WaggleEvent; lastAcceptedAt: number } | undefined>;
  evaluate: EvaluateEventDeps;
  /** Stores a batch's scores (the scores table); resolves once they are durable. */
  saveScores(scores: ScoreRecord[]): Promise<void>;
  /** Evaluations run at once (each may hold a Python process or a provider call). */
  concurrency?: number;
  onTaskFailed?: (failure: { messageId: string; error: unknown }) => void;
  onTaskSkipped?: (skipped: { messageId: string; reason: string }) => void;
}

export interface WorkerMessage {
  messageId: string;
  body: string;
}

export interface WorkerResult {
  failedMessageIds: string[];
  scores: ScoreRecord[];
}

/** Evaluations run at once; the queue's event source hands the worker batches of this size (one round each). */
export const EVALUATION_WORKER_CONCURRENCY = 4;

export function createEvaluationWorker(deps: EvaluationWorkerDeps) {
  return async (messages: readonly WorkerMessage[]): Promise<WorkerResult> => {
    const failed = new Set<string>();
    const scored: { messageId: string; score: ScoreRecord }[] = [];
    const fail = (messageId: string, error: unknown) => {
      failed.add(messageId);
      deps.onTaskFailed?.({ messageId, error });
    };
    await runWithConcurrency(
      messages,
      deps.concurrency ?? EVALUATION_WORKER_CONCURRENCY,
      async ({ messageId, body }) => {
        try {
          const score = await runTask(parseTask(body), messageId, deps);
          if (score) scored.push({ messageId, score });
        } catch (error) {
          fail(messageId, error);
        }
      },
    );
    if (scored.length > 0) {
      try {
        await deps.saveScores(scored.map(({ score }) => score));
      } catch (error) {
        for (const { messageId } of scored) fail(messageId, error);
        return { failedMessageIds: [...failed], scores: [] };
      }
    }
    return { failedMessageIds: [...failed], scores: scored.map(({ score }) => score) };
  };
}

async function runTask(
  task: EvaluationTask,
  messageId: string,
  deps: EvaluationWorkerDeps,
): Promise<ScoreRecord | undefined> {
  const tenant: Tenant = {
    org_id: task.org_id,
    workspace_id: task.workspace_id,
    project_id: task.project_id,
  };
  const evaluator = await deps.catalog.get(tenant, task.evaluator_id, task.evaluator_version);
  if (!evaluator) {
    deps.onTaskSkipped?.({
      messageId,
      reason: `evaluator ${task.evaluator_id} v${task.evaluator_version} is gone`,
    });
    return undefined;
  }
  if (task.session) return runSessionTask(task, task.session.queued_at, evaluator, tenant, messageId, deps);
  const read = await deps.readEvent(tenant, task.event_id, task.start_time);
  // Not readable yet, or lost: failing brings the task back, and the dead-letter queue keeps it.
  if (!read) throw new Error(`event ${task.event_id} cannot be read`);
  return evaluateEvent(evaluator, read.event, deps.evaluate, {
    source: task.source,
    requestId: messageId,
  });
}

const sessionSelector = new OnlineSelector();

/** A session task: score the session's event if nothing was accepted in the session since the task was queued. */
async function runSessionTask(
  task: EvaluationTask,
  queuedAt: number,
  evaluator: EvaluatorDefinition,
  tenant: Tenant,
  messageId: string,
  deps: EvaluationWorkerDeps,
): Promise<ScoreRecord | undefined> {
  if (!deps.readSession) throw new Error('this worker cannot read sessions');
  const read = await deps.readSession(tenant, task.session_id);
  if (!read) throw new Error(`session ${task.session_id} cannot be read`);
  const skip = (reason: string) => {
    deps.onTaskSkipped?.({ messageId, reason });
    return undefined;
  };
  if (read.lastAcceptedAt > queuedAt) return skip(`session ${task.session_id} is still active`);
  if (!read.event) return skip(`session ${task.session_id} has no session event to score`);
  // Its filters and sampling apply to the completed session event.
  if (sessionSelector.select(read.event, [evaluator]).length === 0)
    return skip(`session ${task.session_id} is not among ${evaluator.id}'s`);
  return evaluateEvent(evaluator, read.event, deps.evaluate, { source: task.source, requestId: messageId });
}
