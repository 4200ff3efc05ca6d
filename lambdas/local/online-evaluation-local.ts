/**
 * Online evaluation on the local platform: the writer hands each stored batch's new events to
 * `onEventsStored`, which queues the evaluation tasks they call for (a durable folder queue with a
 * dead-letter queue, like the events queue); a poller runs the evaluation worker on them with the
 * local Python sandbox and the judge; each score reaches its event as an update of its `metrics`
 * (`metrics["<evaluator name>"] = value`) through the events queue and the writer, the path HoneyHive's
 * `PUT /events` takes, so every read, filter and chart sees it.
 *
 * A task that fails every receive (5) stays in the dead-letter folder (queues/evaluations-dlq), as
 * on SQS; its event is stored all the same.
 *
 * The evaluators are those synced from the control plane (`synced`: the metrics API's, when the
 * control plane runs) and those put in `catalog` (LocalEvaluatorCatalog, which tests fill directly).
 */
import { LocalQueue } from '../adapters/local/local-queue';
import { startQueuePoller } from '../adapters/local/local-queue-poller';
import type {
  CodeMetricRunner,
  EvaluatorCatalog,
  EvaluatorDefinition,
  JudgeRunner,
} from '../domain/evaluators/evaluator';
import { enqueueEvaluations } from '../domain/evaluators/online/enqueue';
import { publishScoreUpdates } from '../domain/evaluators/online/score-updates';
import { OnlineSelector } from '../domain/evaluators/online/select';
import type { Tenant, WaggleEvent } from '../domain/events/event';
import type { MessageQueue, ObjectStore } from '../domain/ports';
import type { EventQueryService } from '../domain/query/types';
import { DEFAULT_MAX_RECEIVE_COUNT } from '../domain/queue-limits';
import { createEvaluationWorkerHandler } from '../evaluation-worker/app';
import type { Logger } from './logger';

/** Evaluator versions held in memory, by id; the latest is the one online evaluation runs. */
export class LocalEvaluatorCatalog implements EvaluatorCatalog {
  private readonly versions = new Map<string, EvaluatorDefinition[]>();

  /** Adds a version (its `version` must be above the evaluator's last). */
  put(definition: EvaluatorDefinition): void {
    const known = this.versions.get(definition.id) ?? [];
    const last = known.at(-1);
    if (last && definition.version <= last.version)
      throw new Error(`evaluator ${definition.id} is already at version ${last.version}`);
    this.versions.set(definition.id, [...known, definition]);
  }

  delete(id: string): void {
    this.versions.delete(id);
  }

  async enabledInProd(tenant: Tenant): Promise<EvaluatorDefinition[]> {
    return [...this.versions.values()]
      .map((versions) => versions.at(-1) as EvaluatorDefinition)
      .filter((latest) => latest.projectId === tenant.project_id && latest.enabledInProd);
  }

  async get(tenant: Tenant, id: string, version?: number): Promise<EvaluatorDefinition | undefined> {
    const versions = this.versions.get(id) ?? [];
    const found = version === undefined ? versions.at(-1) : versions.find((each) => each.version === version);
    return found?.projectId === tenant.project_id ? found : undefined;
  }
}

export interface OnlineEvaluationLocalOptions {
  queueDir: string;
  deadLetterQueueDir: string;
  queries: Pick<EventQueryService, 'getEvent' | 'getSession'>;
  code: CodeMetricRunner;
  judge?: JudgeRunner;
  /** The metrics synced from the control plane (lambdas/domain/evaluators/definitions/catalog.ts). */
  synced?: EvaluatorCatalog;
  /** Where scores go, as event updates (the events queue and its overflow store). */
  eventsQueue: MessageQueue;
  overflowStore: ObjectStore;
  logger: Logger;
  pollerOptions: { batchSize: number; maximumBatchingWindowMs: number; visibilityTimeoutMs: number };
  /** Seconds a session must stay quiet before session evaluators score it. */
  sessionQuietSeconds?: number;
}

export interface OnlineEvaluationLocal {
  catalog: LocalEvaluatorCatalog;
  /** Both catalogs: the local one first, then the synced metrics (what the worker and backfills read). */
  evaluators: EvaluatorCatalog;
  queue: LocalQueue;
  /** For the writer (WriterDeps.onEventsStored). */
  onEventsStored(events: WaggleEvent[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startOnlineEvaluationLocal(
  options: OnlineEvaluationLocalOptions,
): Promise<OnlineEvaluationLocal> {
  const { logger } = options;
  const deadLetters = await LocalQueue.open(options.deadLetterQueueDir, { name: 'waggle-evaluations-dlq' });
  const queue = await LocalQueue.open(options.queueDir, {
    name: 'waggle-evaluations',
    redrive: { deadLetterQueue: deadLetters, maxReceiveCount: DEFAULT_MAX_RECEIVE_COUNT },
  });
  const local = new LocalEvaluatorCatalog();
  const catalog = options.synced ? bothCatalogs(local, options.synced) : local;
  const selector = new OnlineSelector();
  const handler = createEvaluationWorkerHandler({
    catalog,
    queries: options.queries,
    code: options.code,
    judge: options.judge,
    saveScores: publishScoreUpdates({
      eventsQueue: options.eventsQueue,
      overflowStore: options.overflowStore,
    }),
    onErrorScore: (score) =>
      logger.warn(`evaluations: ${score.evaluator_name} could not score ${score.event_id}`, {
        error: score.error ?? undefined,
      }),
    onScored: (scores) => logger.info('evaluations: scored', { scores: scores.length }),
    onTaskFailed: ({ messageId, error }) =>
      logger.warn(`evaluations: task ${messageId} failed, to be retried`, { error: messageOf(error) }),
  });
  const poller = startQueuePoller(queue, handler, {
    ...options.pollerOptions,
    log: (line) => logger.warn(line),
  });
  return {
    catalog: local,
    evaluators: catalog,
    queue,
    onEventsStored: async (events) => {
      const queued = await enqueueEvaluations(events, {
        catalog,
        selector,
        queue,
        sessionQuietSeconds: options.sessionQuietSeconds,
        onFailure: (error) => logger.error('evaluations: tasks not queued', { error: messageOf(error) }),
        onSkipped: (evaluatorId, reason) =>
          logger.warn(`evaluations: evaluator ${evaluatorId} skipped: ${reason}`),
      });
      if (queued > 0) logger.debug('evaluations: tasks queued', { tasks: queued });
    },
    async stop() {
      await poller.stop();
    },
  };
}

/** The evaluators of both catalogs; an id is looked up in the local one first. */
function bothCatalogs(local: EvaluatorCatalog, synced: EvaluatorCatalog): EvaluatorCatalog {
  return {
    async enabledInProd(tenant) {
      return [...(await local.enabledInProd(tenant)), ...(await synced.enabledInProd(tenant))];
    },
    async get(tenant, id, version) {
      return (await local.get(tenant, id, version)) ?? synced.get(tenant, id, version);
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
