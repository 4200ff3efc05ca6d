/**
 * The scores table: every evaluation kept, with what the event's `metrics` cannot hold (the
 * evaluator's version, passed, the explanation, the cost, the judge's own event, the error):
 *
 *   scores/project_id=<p>/dt=<YYYY-MM-DD of the event's start_time>/<batch id>.parquet
 *
 * Scores travel on the events queue as `score` records beside the metrics update they come with
 * (domain/evaluators/online/score-updates.ts), and the writer stores each batch's as one file per
 * partition. Partitioned by the scored event's day, so the scores of one event are one partition
 * (read by event id: query/score-history.ts). A retried batch writes its rows again; reads keep one
 * row per score_id.
 */
import type { ScoreRecord } from '../evaluators/evaluator';
import { type Column, OWNER_COLUMNS } from './columns';
import { hourPartitionOf } from './layout';
import type { ParquetRow } from './parquet-files';

export const SCORES_PREFIX = 'scores/';

export const SCORE_COLUMNS = [
  { name: 'score_id', type: 'string', description: 'One evaluation; the row key' },
  { name: 'event_id', type: 'string', description: 'The scored event (a session id for a session score)' },
  { name: 'session_id', type: 'string', description: 'Its session' },
  {
    name: 'event_start_time',
    type: 'bigint',
    description: "Epoch milliseconds: the scored event's start_time",
  },
  { name: 'evaluator_id', type: 'string', description: 'The metric' },
  { name: 'evaluator_name', type: 'string', description: "The metric's name when it scored" },
  { name: 'evaluator_version', type: 'bigint', description: 'The version of the metric that scored' },
  {
    name: 'value',
    type: 'string',
    description: 'JSON of the score (number, boolean or string); NULL on error',
  },
  { name: 'passed', type: 'boolean', description: 'Threshold or pass_when applied; NULL when neither' },
  { name: 'explanation', type: 'string', description: "A judge's reasoning" },
  { name: 'cost', type: 'double', description: "USD of the judge's call" },
  { name: 'judge_event_id', type: 'string', description: "The judge's own model event" },
  { name: 'status', type: 'string', description: 'ok | error' },
  { name: 'error', type: 'string', description: 'Why there is no value' },
  { name: 'source', type: 'string', description: 'online | backfill:<id> | a reviewer' },
  { name: 'scored_at', type: 'bigint', description: 'Epoch milliseconds' },
  ...OWNER_COLUMNS,
] as const satisfies readonly Column[];

/** The partition of a score: its project and the scored event's UTC day. */
export function scorePartitionPrefix(score: Pick<ScoreRecord, 'project_id' | 'event_start_time'>): string {
  const { dt } = hourPartitionOf(score.project_id, score.event_start_time);
  return `${SCORES_PREFIX}project_id=${encodeURIComponent(score.project_id)}/dt=${dt}/`;
}

export function scoreParquetRow(score: ScoreRecord): ParquetRow {
  return {
    score_id: score.score_id,
    event_id: score.event_id,
    session_id: score.session_id,
    event_start_time: score.event_start_time,
    evaluator_id: score.evaluator_id,
    evaluator_name: score.evaluator_name,
    evaluator_version: score.evaluator_version,
    value: score.value === null ? null : JSON.stringify(score.value),
    passed: score.passed,
    explanation: score.explanation,
    cost: score.cost,
    judge_event_id: score.judge_event_id,
    status: score.status,
    error: score.error,
    source: score.source,
    scored_at: score.scored_at,
    org_id: score.org_id,
    workspace_id: score.workspace_id,
  };
}
