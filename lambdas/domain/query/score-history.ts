/**
 * GET /v1/events/{id}/scores: every evaluation of one event, newest first, from the scores table
 * (store/scores.ts). The scores of an event are one partition (its project and its start day), so
 * the statement reads one `dt` of one project (bounded: partition-bounds.ts); a batch the writer
 * wrote twice (a retry) holds the same score twice, and one row per score_id is kept.
 */
import type { ScoreValue } from '../evaluators/evaluator';
import type { Tenant } from '../events/event';
import { hourPartitionOf } from '../store/layout';
import type { QueryEngine } from './engine';
import { runStatement } from './run-statement';
import { param, raw, type Sql, sql } from './sql';
import { number } from './stored-event';
import type { ReadContext, ScoreHistoryEntry } from './types';

/** Scores one answer lists at most (an event scored every minute for a week is fewer). */
export const MAX_SCORE_HISTORY = 1_000;

export function scoreHistoryStatement(tenant: Tenant, event: { event_id: string; start_time: number }): Sql {
  const { dt } = hourPartitionOf(tenant.project_id, event.start_time);
  return sql`WITH scored AS (
SELECT score_id, evaluator_id, evaluator_name, evaluator_version, value, passed, explanation, cost, judge_event_id, status, error, source, scored_at,
row_number() OVER (PARTITION BY score_id ORDER BY scored_at) AS copy
FROM scores
WHERE project_id = ${param(tenant.project_id)} AND dt = ${param(dt)} AND event_id = ${param(event.event_id)}
)
SELECT score_id, evaluator_id, evaluator_name, evaluator_version, value, passed, explanation, cost, judge_event_id, status, error, source, scored_at
FROM scored
WHERE copy = 1
ORDER BY scored_at DESC, score_id
LIMIT ${raw(String(MAX_SCORE_HISTORY))}`;
}

export async function scoreHistory(
  engine: QueryEngine,
  tenant: Tenant,
  event: { event_id: string; start_time: number },
  context: ReadContext = {},
): Promise<ScoreHistoryEntry[]> {
  const rows = await runStatement(engine, 'score-history', scoreHistoryStatement(tenant, event), context);
  return rows.map(toEntry);
}

function toEntry(row: Record<string, unknown>): ScoreHistoryEntry {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    score_id: String(row.score_id),
    evaluator_id: String(row.evaluator_id),
    evaluator_name: String(row.evaluator_name),
    evaluator_version: number(row.evaluator_version) ?? 0,
    value: typeof row.value === 'string' ? (JSON.parse(row.value) as ScoreValue) : null,
    passed: typeof row.passed === 'boolean' ? row.passed : null,
    explanation: text(row.explanation),
    cost: number(row.cost) ?? null,
    judge_event_id: text(row.judge_event_id),
    status: row.status === 'error' ? 'error' : 'ok',
    error: text(row.error),
    source: String(row.source),
    scored_at: number(row.scored_at) ?? 0,
  };
}
