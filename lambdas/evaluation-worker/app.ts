/**
 * The evaluation worker: the evaluations queue's consumer. Each task names an event and an
 * evaluator version; the event is read through the read path, evaluated (Python in the sandbox, an
 * LLM judge, a composite of both), and the batch's scores become metrics updates of their events
 * (domain/evaluators/online/score-updates.ts). Only the failed tasks are reported back
 * (ReportBatchItemFailures): SQS brings them back and, after the queue's receive limit, moves them
 * to the dead-letter queue. No AWS imports: handler.ts wires it on AWS, lambdas/local/ locally.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type {
  CodeMetricRunner,
  EvaluatorCatalog,
  JudgeRunner,
  ScoreRecord,
} from '../domain/evaluators/evaluator';
import { childrenFromCatalog } from '../domain/evaluators/online/evaluate-event';
import { createEvaluationWorker, type EvaluationWorkerDeps } from '../domain/evaluators/online/worker';
import type { EventQueryService, SessionNode, StoredEvent } from '../domain/query/types';

export interface EvaluationWorkerAppDeps {
  catalog: EvaluatorCatalog;
  /** The read path (pending updates merged), for the newest version of each task's event or session. */
  queries: Pick<EventQueryService, 'getEvent' | 'getSession'>;
  code: CodeMetricRunner;
  /** Absent: model (LLM judge) evaluators score an error saying no judge is wired. */
  judge?: JudgeRunner;
  saveScores: EvaluationWorkerDeps['saveScores'];
  /** Before a batch's scores are saved: each of them that is an error (the evaluator could not score its event), for logs. */
  onErrorScore?: (score: ScoreRecord) => void;
  concurrency?: number;
  /** After a batch: its scores (ok and error), for metrics and logs. */
  onScored?: (scores: ScoreRecord[]) => void;
  onTaskFailed?: EvaluationWorkerDeps['onTaskFailed'];
  onTaskSkipped?: EvaluationWorkerDeps['onTaskSkipped'];
}

export type EvaluationWorkerHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export function createEvaluationWorkerHandler(deps: EvaluationWorkerAppDeps): EvaluationWorkerHandler {
  const { catalog } = deps;
  const worker = createEvaluationWorker({
    catalog,
    readEvent: async (tenant, eventId) => {
      const event = await deps.queries.getEvent(tenant, eventId);
      return event && { event };
    },
    readSession: async (tenant, sessionId) => {
      const session = await deps.queries.getSession(tenant, sessionId);
      if (!session) return undefined;
      const event = session.root.event_type === 'session' ? withoutChildren(session.root) : undefined;
      return { event, lastAcceptedAt: latestAccepted(session.root) };
    },
    evaluate: {
      code: deps.code,
      judge: deps.judge,
      child: childrenFromCatalog(catalog),
    },
    saveScores: async (scores) => {
      if (deps.onErrorScore)
        for (const score of scores) if (score.status === 'error') deps.onErrorScore(score);
      await deps.saveScores(scores);
    },
    concurrency: deps.concurrency,
    onTaskFailed: deps.onTaskFailed,
    onTaskSkipped: deps.onTaskSkipped,
  });
  return async (event) => {
    const result = await worker(event.Records.map(({ messageId, body }) => ({ messageId, body })));
    if (result.scores.length > 0) deps.onScored?.(result.scores);
    return { batchItemFailures: result.failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

function withoutChildren(node: SessionNode): StoredEvent {
  const { children: _children, ...event } = node;
  return event;
}

/** When the session's latest event was accepted: max ingested_at over the tree. */
function latestAccepted(node: SessionNode): number {
  let latest = node.ingested_at;
  for (const child of node.children) latest = Math.max(latest, latestAccepted(child));
  return latest;
}
