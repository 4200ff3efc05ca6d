/**
 * "Dry run": the evaluator run once on one stored event of the project through
 * `POST /v1/metrics/run_metric`, nothing stored. The stored metric runs by its id when the form is
 * as saved; otherwise the form's draft runs as a definition, so a change can be tried before saving.
 */
import { useMutation } from '@tanstack/react-query';
import { type JSX, useId, useState } from 'react';
import type { DataTarget, MetricWire, RunMetricAnswer, RunMetricRequest } from '../api/client';
import { useApp } from '../app/context';
import { ErrorMessage } from '../components/ErrorMessage';
import type { FieldSuggestion } from '../components/filters';
import { formatCost } from '../components/format';
import { type MetricForm, metricBody, sameAsMetric } from './form';

export function DryRun({
  target,
  form,
  metric,
  formValid,
  canRun,
  suggestions = [],
}: {
  target: DataTarget;
  form: MetricForm;
  metric: MetricWire | undefined;
  formValid: boolean;
  canRun: boolean;
  /** Filter field types from the event schema, as the form reads its filter rows. */
  suggestions?: readonly FieldSuggestion[];
}): JSX.Element {
  const { api } = useApp();
  const inputId = useId();
  const headingId = useId();
  const [eventId, setEventId] = useState('');
  const asSaved = metric !== undefined && sameAsMetric(form, metric, suggestions);
  const run = useMutation({
    mutationFn: (request: RunMetricRequest) => api.runMetric(target, request),
  });
  const disabled = !canRun || eventId.trim() === '' || run.isPending || (!asSaved && !formValid);
  return (
    <section className="card stack" aria-labelledby={headingId}>
      <h2 id={headingId}>Dry run</h2>
      <form
        className="row dry-run-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (disabled) return;
          const id = eventId.trim();
          run.mutate(
            asSaved && metric
              ? { metric_id: metric._id, event_id: id }
              : { metric: metricBody(form, suggestions), event_id: id },
          );
        }}
      >
        <div className="field grow">
          <label htmlFor={inputId}>Event ID</label>
          <input
            id={inputId}
            value={eventId}
            spellCheck={false}
            placeholder="an event of this project"
            onChange={(event) => setEventId(event.target.value)}
          />
        </div>
        <button type="submit" disabled={disabled}>
          {run.isPending ? 'Running…' : 'Run on event'}
        </button>
      </form>
      <p className="muted small" data-testid="dry-run-source">
        {!canRun
          ? 'A dry run needs a member or above (it may call the project’s judge model).'
          : asSaved
            ? `Runs the saved version ${metric?.version ?? ''}; nothing is stored.`
            : 'Runs the form as it is (not saved); nothing is stored.'}
      </p>
      <ErrorMessage error={run.error} title="The dry run failed" />
      {run.data ? <DryRunResult answer={run.data} /> : null}
    </section>
  );
}

function DryRunResult({ answer }: { answer: RunMetricAnswer }): JSX.Element {
  const verdict = answer.passed === null ? 'No verdict' : answer.passed ? 'Pass' : 'Fail';
  return (
    <dl className="dry-run-result" aria-label="Dry run result">
      <div>
        <dt>Status</dt>
        <dd data-testid="dry-run-status" className={answer.status === 'error' ? 'bad' : undefined}>
          {answer.status}
        </dd>
      </div>
      <div>
        <dt>Score</dt>
        <dd data-testid="dry-run-score">
          <code>{answer.score === null ? '—' : JSON.stringify(answer.score)}</code>
        </dd>
      </div>
      <div>
        <dt>Passed</dt>
        <dd
          data-testid="dry-run-passed"
          className={answer.passed === null ? 'muted' : answer.passed ? 'verdict-pass' : 'verdict-fail'}
        >
          {answer.passed === null ? null : <span aria-hidden="true">{answer.passed ? '✓ ' : '✗ '}</span>}
          {verdict}
        </dd>
      </div>
      {answer.error ? (
        <div className="wide">
          <dt>Error</dt>
          <dd data-testid="dry-run-error" className="bad">
            <pre>{answer.error}</pre>
          </dd>
        </div>
      ) : null}
      {answer.explanation ? (
        <div className="wide">
          <dt>Explanation</dt>
          <dd data-testid="dry-run-explanation">
            <pre>{answer.explanation}</pre>
          </dd>
        </div>
      ) : null}
      {answer.cost !== null ? (
        <div>
          <dt>Cost</dt>
          <dd>{formatCost(answer.cost)}</dd>
        </div>
      ) : null}
    </dl>
  );
}
