/**
 * The LLM judge calls that scored an event, each with the evaluator (name and version), the
 * judge's answer (its explanation) and a link to the judge's own trace: the model events whose
 * source is `waggle-judge` and whose metadata names this event as `evaluated_event_id`
 * (docs/evaluators.md, "The judge's own trace"). Shown only inside the console (its query cache and
 * app context); nothing when the event was never judged or the read fails.
 */
import { QueryClientContext, useQuery } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { type JSX, useContext, useId } from 'react';
import type { WaggleEvent } from '../api/types';
import { useApp, useTarget } from '../app/context';

/** A judge's calls come after the event; a month of them is looked at. */
const JUDGED_WITHIN_MS = 30 * 24 * 3600_000;
const MAX_CALLS = 20;
const ANSWER_CHARS = 400;

export function JudgeCalls({ event }: { event: WaggleEvent }): JSX.Element | null {
  const client = useContext(QueryClientContext);
  if (!client) return null;
  return <ProjectJudgeCalls event={event} />;
}

function ProjectJudgeCalls({ event }: { event: WaggleEvent }): JSX.Element | null {
  const params = useParams({ strict: false });
  const project = params.projectId ?? event.project_id ?? '';
  const { api } = useApp();
  const target = useTarget(project);
  const from = event.start_time;
  const calls = useQuery({
    queryKey: ['judge-calls', target.dataPlaneId, target.projectId, event.event_id],
    queryFn: () =>
      api.exportEvents(target, {
        filters: [
          { field: 'source', operator: 'is', value: 'waggle-judge', type: 'string' },
          { field: 'metadata.evaluated_event_id', operator: 'is', value: event.event_id, type: 'string' },
        ],
        dateRange: { $gte: from, $lte: Math.min(Date.now(), from + JUDGED_WITHIN_MS) },
        limit: MAX_CALLS,
        page: 1,
        sortBy: 'start_time',
        sortOrder: 'desc',
      }),
    // A judge's own call is never judged (online evaluation skips it).
    enabled: project !== '' && event.source !== 'waggle-judge',
    staleTime: 30_000,
    retry: false,
  });
  const headingId = useId();
  const judged = calls.data?.events ?? [];
  if (judged.length === 0) return null;
  return (
    <section className="wg-section" aria-labelledby={headingId}>
      <h3 id={headingId}>Judged by</h3>
      <ul className="wg-judge-calls">
        {judged.map((call) => (
          <li key={call.event_id}>
            <JudgeCall call={call} projectId={project} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function JudgeCall({ call, projectId }: { call: WaggleEvent; projectId: string }): JSX.Element {
  const evaluator = record(record(call.metadata).evaluator);
  const name = typeof evaluator.name === 'string' ? evaluator.name : 'an evaluator';
  const version = typeof evaluator.version === 'number' ? ` v${evaluator.version}` : '';
  const answer = answerOf(call);
  return (
    <>
      <Link
        to="/projects/$projectId/sessions/$sessionId"
        params={{ projectId, sessionId: call.session_id }}
        search={{ event: call.event_id }}
      >
        {name}
        {version}: the judge's call
      </Link>
      {call.error ? <p className="wg-judge-error">Error: {call.error}</p> : null}
      {answer ? <blockquote className="wg-judge-answer">{answer}</blockquote> : null}
    </>
  );
}

/** The judge's answer: its explanation and rating, as the model wrote them. */
function answerOf(call: WaggleEvent): string | undefined {
  const outputs = record(call.outputs);
  const content = typeof outputs.content === 'string' ? outputs.content : undefined;
  if (!content) return undefined;
  return content.length > ANSWER_CHARS ? `${content.slice(0, ANSWER_CHARS)}…` : content;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
