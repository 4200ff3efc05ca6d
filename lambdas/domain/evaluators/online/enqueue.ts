/**
 * After the writer stores a batch: the evaluation tasks its new events call for, on the evaluation
 * queue. Each project's enabled evaluators are read once per batch. A failure here (the catalog, the
 * queue) is reported and costs the batch its online scores, never its events.
 */
import type { Tenant, WaggleEvent } from '../../events/event';
import type { MessageQueue, QueueMessage } from '../../ports';
import { SQS_MAX_BATCH_ENTRIES } from '../../queue-limits';
import type { EvaluatorCatalog } from '../evaluator';
import type { OnlineSelector } from './select';
import { EVALUATION_TASK_VERSION, taskMessage } from './tasks';

export interface EnqueueEvaluationsDeps {
  catalog: Pick<EvaluatorCatalog, 'enabledInProd'>;
  selector: OnlineSelector;
  queue: MessageQueue;
  onFailure?: (error: unknown) => void;
  onSkipped?: (evaluatorId: string, reason: string) => void;
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
    for (const { tenant, events: projectEvents } of byProject.values()) {
      const evaluators = await deps.catalog.enabledInProd(tenant);
      if (evaluators.length === 0) continue;
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
