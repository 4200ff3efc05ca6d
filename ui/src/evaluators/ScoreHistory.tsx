/**
 * Every evaluation of an event, from the scores table (`GET /v1/events/{id}/scores`): when, which
 * metric and version, the value with its verdict in words, where it came from (online, a backfill),
 * the judge's explanation and cost, or the error. The event's `metrics` show the latest value of
 * each metric; this shows how each came to be. Shown only inside the console (its query cache and
 * app context); nothing when the event was never scored or the read fails.
 */
import { QueryClientContext, useQuery } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { type JSX, useContext, useId } from 'react';
import type { ScoreHistoryEntry } from '../api/client';
import { useApp, useTarget } from '../app/context';
import { formatCost, formatTime } from '../components/format';
import { TableHead } from '../components/Table';

const SHOWN = 50;
const EXPLANATION_CHARS = 400;

export function ScoreHistory({
  eventId,
  projectId,
}: {
  eventId: string;
  projectId?: string;
}): JSX.Element | null {
  const client = useContext(QueryClientContext);
  if (!client) return null;
  return <ProjectScoreHistory eventId={eventId} projectId={projectId} />;
}

function ProjectScoreHistory({
  eventId,
  projectId,
}: {
  eventId: string;
  projectId?: string;
}): JSX.Element | null {
  const params = useParams({ strict: false });
  const project = params.projectId ?? projectId ?? '';
  const { api } = useApp();
  const target = useTarget(project);
  const history = useQuery({
    queryKey: ['score-history', target.dataPlaneId, target.projectId, eventId],
    queryFn: () => api.scoreHistory(target, eventId),
    enabled: project !== '',
    staleTime: 15_000,
    retry: false,
  });
  const headingId = useId();
  const scores = history.data?.scores ?? [];
  if (scores.length === 0) return null;
  return (
    <section className="wg-section" aria-labelledby={headingId}>
      <h3 id={headingId}>Score history</h3>
      <table className="wg-table wg-score-history">
        <TableHead columns={['Scored', 'Metric', 'Value', 'Source', 'Why']} />
        <tbody>
          {scores.slice(0, SHOWN).map((score) => (
            <ScoreRow key={score.score_id} score={score} />
          ))}
        </tbody>
      </table>
      {scores.length > SHOWN ? (
        <p className="wg-muted">
          The latest {SHOWN} of {scores.length}.
        </p>
      ) : null}
    </section>
  );
}

function ScoreRow({ score }: { score: ScoreHistoryEntry }): JSX.Element {
  const verdict = score.passed === null ? undefined : score.passed ? 'pass' : 'fail';
  return (
    <tr className={verdict ? `wg-score-${verdict}` : undefined} data-testid="score-history-row">
      <td>{formatTime(score.scored_at)}</td>
      <td>
        {score.evaluator_name} <span className="wg-muted">v{score.evaluator_version}</span>
      </td>
      <td>
        {score.status === 'error' ? (
          <span className="wg-judge-error">Error</span>
        ) : (
          <>
            {String(score.value)}
            {verdict ? (
              <span className={`wg-verdict wg-verdict-${verdict}`}>
                {' '}
                <span aria-hidden="true">{verdict === 'pass' ? '✓' : '✗'}</span>{' '}
                {verdict === 'pass' ? 'Pass' : 'Fail'}
              </span>
            ) : null}
          </>
        )}
      </td>
      <td>{score.source}</td>
      <td>
        {score.status === 'error' ? score.error : clip(score.explanation)}
        {score.cost !== null ? <span className="wg-muted"> ({formatCost(score.cost)})</span> : null}
        {score.judge_event_id ? <span className="wg-muted"> judge event {score.judge_event_id}</span> : null}
      </td>
    </tr>
  );
}

function clip(text: string | null): string {
  if (!text) return '';
  return text.length > EXPLANATION_CHARS ? `${text.slice(0, EXPLANATION_CHARS)}…` : text;
}
