/**
 * After the writer stores a batch: the evaluation tasks its new events call for, on the evaluation
 * queue. Each project's enabled evaluators are read once per batch. A failure here (the catalog, the
 * queue) is reported and costs the batch its online scores, never its events.
 */
import type { Tenant, WaggleEvent } from '../../events/event';
import type { MessageQueue, QueueMessage } from '../../ports';
import { SQS_MAX_BATCH_ENTRIES } from '../../queue-limits';
import type { EvaluatorCatalog, EvaluatorDefinition } from '../evaluator';
import { JUDGE_EVENT_SOURCE } from '../judge/judge-runner';
import type { OnlineSelector } from './select';
import { EVALUATION_TASK_VERSION, taskMessage } from './tasks';

/** How long a session must go without a new event before its session evaluators score it (SQS allows 900 s at most). */
export const DEFAULT_SESSION_QUIET_SECONDS = 300;

export interface EnqueueEvaluationsDeps {
  catalog: Pick<EvaluatorCatalog, 'enabledInProd'>;
  selector: OnlineSelector;
  queue: MessageQueue;
  /** Seconds a session must stay quiet before it is scored (default 300, at most 900: SQS's longest delay). */
  sessionQuietSeconds?: number;
  clock?: () => number;
  onFailure?: (error: unknown) => void;
  onSkipped?: (evaluatorId: string, reason: string) => void;
}

/**
 * One delayed task per session the batch touched and session evaluator: when it comes due, the
 * worker scores the session unless an event of it was accepted after the task was queued (then
 * the task queued for that event's batch scores it later). A judge's own events touch no session.
 */
function sessionTasks(
  events: readonly WaggleEvent[],
  evaluators: readonly EvaluatorDefinition[],
  tenant: Tenant,
  now: number,
  quietSeconds: number,
): QueueMessage[] {
  const sessions = new Map<string, number>();
  for (const event of events) {
    if (event.source === JUDGE_EVENT_SOURCE) continue;
    const earliest = sessions.get(event.session_id);
    if (earliest === undefined || event.start_time < earliest)
      sessions.set(event.session_id, event.start_time);
  }
  return [...sessions].flatMap(([sessionId, startTime]) =>
    evaluators.map((evaluator) => ({
      ...taskMessage({
        v: EVALUATION_TASK_VERSION,
        ...tenant,
        event_id: sessionId,
        session_id: sessionId,
        start_time: startTime,
        evaluator_id: evaluator.id,
        evaluator_version: evaluator.version,
        source: 'online',
        session: { queued_at: now },
      }),
      delaySeconds: quietSeconds,
    })),
  );
}

/** Queues the tasks; resolves with how many were queued, and never rejects. */
export async function enqueueEvaluations(
  events: readonly WaggleEvent[],
  deps: EnqueueEvaluationsDeps,
): Promise<number> {
  try {
    const byProject = new Map<string, { tenant: Tenant; events: WaggleEvent[] }>();
    for (const event of events) {
      const key = `${event.org_id}\u0000${event.project_id}`;
      const group = byProject.get(key) ?? {
        tenant: { org_id: event.org_id, workspace_id: event.workspace_id, project_id: event.project_id },
        events: [],
      };
      group.events.push(event);
      byProject.set(key, group);
    }
    const messages: QueueMessage[] = [];
    const now = (deps.clock ?? Date.now)();
    const quietSeconds = deps.sessionQuietSeconds ?? DEFAULT_SESSION_QUIET_SECONDS;
    for (const { tenant, events: projectEvents } of byProject.values()) {
      const enabled = await deps.catalog.enabledInProd(tenant);
      if (enabled.length === 0) continue;
      // Evaluators of sessions score a session once it is complete, not each event as it comes.
      const evaluators = enabled.filter((evaluator) => evaluator.eventType !== 'session');
      const sessionEvaluators = enabled.filter(
        (evaluator) => evaluator.eventType === 'session' && evaluator.type !== 'human',
      );
      if (sessionEvaluators.length > 0)
        messages.push(...sessionTasks(projectEvents, sessionEvaluators, tenant, now, quietSeconds));
      for (const event of projectEvents) {
        const chosen = deps.selector.select(event, evaluators, undefined, ({ evaluator, reason }) =>
          deps.onSkipped?.(evaluator.id, reason),
        );
        for (const evaluator of chosen)
          messages.push(
            taskMessage({
              v: EVALUATION_TASK_VERSION,
              ...tenant,
              event_id: event.event_id,
              session_id: event.session_id,
              start_time: event.start_time,
              evaluator_id: evaluator.id,
              evaluator_version: evaluator.version,
              source: 'online',
            }),
          );
      }
    }
    for (let start = 0; start < messages.length; start += SQS_MAX_BATCH_ENTRIES)
      await deps.queue.sendBatch(messages.slice(start, start + SQS_MAX_BATCH_ENTRIES));
    return messages.length;
  } catch (error) {
    deps.onFailure?.(error);
    return 0;
  }
}
