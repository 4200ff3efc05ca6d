/**
 * Where scores go: each score becomes an update of its event's `metrics`
 * (`metrics["<evaluator name>"] = value`) on the events queue, the path HoneyHive's `PUT /events`
 * takes, so the writer folds it into the stored event and every read, filter and chart sees it;
 * and every score, an error score too, goes beside it as a `score` record, which the writer keeps
 * in the scores table (store/scores.ts) with its version, explanation, cost and judge event. An
 * error score has no value and changes no metric. The same on AWS (the evaluation worker, the
 * backfill steps) and locally.
 */
import type { EventRecord } from '../../events/event';
import { publishRecords } from '../../ingest/publish-records';
import { versionClock } from '../../ingest/version-clock';
import type { MessageQueue, ObjectStore } from '../../ports';
import type { ScoreRecord } from '../evaluator';

/** One score as a metrics update of its event; undefined for an error score (it has no value). */
export function scoreUpdate(score: ScoreRecord, version: number, now: number): EventRecord | undefined {
  if (score.status !== 'ok' || score.value === null) return undefined;
  return {
    kind: 'update',
    update: {
      org_id: score.org_id,
      workspace_id: score.workspace_id,
      project_id: score.project_id,
      event_id: score.event_id,
      version,
      ingested_at: now,
      patch: { metrics: { [score.evaluator_name]: score.value } },
    },
  };
}

export interface ScoreUpdatesDeps {
  eventsQueue: MessageQueue;
  /** Where a message too large for the queue waits (the raw archive's overflow/ prefix). */
  overflowStore: ObjectStore;
  clock?: () => number;
}

/** The worker's saveScores: resolves once every valued score is on the events queue. */
export function publishScoreUpdates(deps: ScoreUpdatesDeps): (scores: ScoreRecord[]) => Promise<void> {
  const nextVersion = versionClock();
  const clock = deps.clock ?? Date.now;
  return async (scores) => {
    const now = clock();
    const records = scores.flatMap((score): EventRecord[] => {
      const update = scoreUpdate(score, nextVersion(now), now);
      return update ? [update, { kind: 'score', score }] : [{ kind: 'score', score }];
    });
    if (records.length === 0) return;
    await publishRecords(records, deps.eventsQueue, deps.overflowStore, { requestId: `evaluations-${now}` });
  };
}
