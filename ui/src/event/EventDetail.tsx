/**
 * One event in full: summary (type, times, model, tokens, cost), error, ids with copy buttons,
 * inputs and outputs (chat messages when they are, else values), config, metadata, metrics (each
 * marked "Pass" or "Fail" where the project's metric of that name has a threshold or pass_when),
 * feedback, user properties and the raw JSON; inside the console, "Add to review" puts the event in
 * a human metric's review queue (review/AddToReview.tsx) and "Add to dataset" makes it a datapoint
 * (datasets/AddToDataset.tsx).
 *
 * Accessible names: the panel is a region "Event detail"; headings "Inputs", "Outputs", "Config",
 * "Metadata", "Metrics", "Feedback", "User properties", "Error"; copy buttons "Copy event ID",
 * "Copy session ID", "Copy trace ID"; the raw JSON toggle "Show raw JSON".
 */
import './event.css';
import { type JSX, useId, useState } from 'react';
import type { SessionNode, WaggleEvent } from '../api/types';
import { CopyButton } from '../components/CopyButton';
import { formatCost, formatCount, formatDuration, formatTime } from '../components/format';
import { AddToDataset } from '../datasets/AddToDataset';
import { JudgeCalls } from '../evaluators/JudgeCalls';
import { EventMetrics } from '../evaluators/MetricScores';
import { ScoreHistory } from '../evaluators/ScoreHistory';
import { AddToReview } from '../review/AddToReview';
import { inputMessages, isRecord, isTruncated, outputMessages } from './chat';
import { MessageList } from './Messages';
import { TruncatedView, Value } from './Value';

export interface EventDetailProps {
  event: WaggleEvent | SessionNode;
  /** Where the event's JSON can be fetched (a link beside the raw JSON toggle). */
  rawJsonHref?: string;
}

export const TYPE_LABELS: Record<string, string> = {
  session: 'Session',
  chain: 'Chain',
  model: 'Model',
  tool: 'Tool',
};

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (isRecord(value)) return Object.keys(value).length === 0;
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

export function EventDetail({ event, rawJsonHref }: EventDetailProps): JSX.Element {
  const headingId = useId();
  const type = event.event_type;
  const childCount = 'children' in event && Array.isArray(event.children) ? event.children.length : undefined;
  const totalTokens =
    event.total_tokens ??
    (event.prompt_tokens != null || event.completion_tokens != null
      ? (event.prompt_tokens ?? 0) + (event.completion_tokens ?? 0)
      : null);
  const config = event.config ?? {};
  const { model: configModel, provider: configProvider, ...hyperparameters } = config;
  const model = event.model ?? (typeof configModel === 'string' ? configModel : undefined);
  const provider = event.provider ?? (typeof configProvider === 'string' ? configProvider : undefined);
  return (
    <section className="wg-detail" aria-label="Event detail">
      <header className="wg-detail-head">
        <span className={`wg-type wg-type-${type}`}>{TYPE_LABELS[type] ?? type}</span>
        <h2 id={headingId} className="wg-detail-title">
          {event.event_name || '(unnamed event)'}
        </h2>
      </header>
      {event.error ? (
        <div className="wg-error" role="note" aria-labelledby={`${headingId}-error`}>
          <h3 id={`${headingId}-error`}>Error</h3>
          <pre className="wg-pre">{event.error}</pre>
        </div>
      ) : null}
      <dl className="wg-facts">
        <Fact label="Start">{formatTime(event.start_time)}</Fact>
        <Fact label="Duration">{formatDuration(event.duration)}</Fact>
        {model ? <Fact label="Model">{model}</Fact> : null}
        {provider ? <Fact label="Provider">{provider}</Fact> : null}
        {totalTokens != null ? (
          <Fact label="Tokens">
            {formatCount(event.prompt_tokens)} prompt · {formatCount(event.completion_tokens)} completion ·{' '}
            {formatCount(totalTokens)} total
          </Fact>
        ) : null}
        {event.cost != null ? <Fact label="Cost">{formatCost(event.cost)}</Fact> : null}
        {event.source ? <Fact label="Source">{event.source}</Fact> : null}
        {childCount !== undefined && childCount > 0 ? <Fact label="Children">{childCount}</Fact> : null}
      </dl>
      <dl className="wg-facts wg-ids">
        <IdFact label="Event ID" value={event.event_id} />
        <IdFact label="Session ID" value={event.session_id} />
        {event.trace_id ? <IdFact label="Trace ID" value={event.trace_id} /> : null}
        {event.span_id ? <IdFact label="Span ID" value={event.span_id} copy={false} /> : null}
        {event.parent_id ? <IdFact label="Parent ID" value={event.parent_id} copy={false} /> : null}
      </dl>
      <AddToReview event={event} />
      <AddToDataset event={event} />
      <Section title="Inputs">
        <InputsBody inputs={event.inputs} />
      </Section>
      <Section title="Outputs">
        <OutputsBody outputs={event.outputs} />
      </Section>
      {!isEmpty(config) ? (
        <Section title="Config">
          <dl className="wg-facts">
            {model ? <Fact label="Model">{model}</Fact> : null}
            {provider ? <Fact label="Provider">{provider}</Fact> : null}
          </dl>
          {!isEmpty(hyperparameters) ? <KeyValues value={hyperparameters} /> : null}
        </Section>
      ) : null}
      <OptionalSection title="Metadata" value={event.metadata} />
      {isRecord(event.metrics) && !isTruncated(event.metrics) && !isEmpty(event.metrics) ? (
        <Section title="Metrics">
          <EventMetrics metrics={event.metrics} projectId={event.project_id} />
        </Section>
      ) : (
        <OptionalSection title="Metrics" value={event.metrics} />
      )}
      <ScoreHistory eventId={event.event_id} projectId={event.project_id} />
      <JudgeCalls event={event} />
      <OptionalSection title="Feedback" value={event.feedback} />
      <OptionalSection title="User properties" value={event.user_properties} />
      <RawJson event={event} href={rawJsonHref} />
    </section>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }): JSX.Element {
  return (
    <div className="wg-fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function IdFact({
  label,
  value,
  copy = true,
}: {
  label: string;
  value: string;
  copy?: boolean;
}): JSX.Element {
  return (
    <div className="wg-fact">
      <dt>{label}</dt>
      <dd>
        <code className="wg-id">{value}</code>
        {copy ? <CopyButton text={value} label={`Copy ${label}`} /> : null}
      </dd>
    </div>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }): JSX.Element {
  const id = useId();
  return (
    <section className="wg-section" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

function OptionalSection({ title, value }: { title: string; value: unknown }): JSX.Element | null {
  if (isEmpty(value)) return null;
  return (
    <Section title={title}>
      <KeyValues value={value} />
    </Section>
  );
}

/** An object's keys each with its value; anything else as one value. */
function KeyValues({ value, omit = [] }: { value: unknown; omit?: readonly string[] }): JSX.Element {
  if (!isRecord(value) || isTruncated(value)) return <Value value={value} />;
  const entries = Object.entries(value).filter(([key]) => !omit.includes(key));
  return (
    <dl className="wg-keyvalues">
      {entries.map(([key, item]) => (
        <div key={key} className="wg-keyvalue">
          <dt>{key}</dt>
          <dd>
            <Value value={item} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function None(): JSX.Element {
  return <p className="wg-muted">None</p>;
}

function InputsBody({ inputs }: { inputs: unknown }): JSX.Element {
  if (isEmpty(inputs)) return <None />;
  if (isTruncated(inputs)) return <TruncatedView value={inputs} />;
  const found = inputMessages(inputs);
  if (!found) return <KeyValues value={inputs} />;
  const rest = isRecord(inputs) ? Object.keys(inputs).filter((key) => key !== found.key) : [];
  return (
    <>
      <MessageList messages={found.messages} />
      {rest.length > 0 ? <KeyValues value={inputs} omit={[found.key]} /> : null}
    </>
  );
}

function OutputsBody({ outputs }: { outputs: unknown }): JSX.Element {
  if (isEmpty(outputs)) return <None />;
  if (isTruncated(outputs)) return <TruncatedView value={outputs} />;
  const found = outputMessages(outputs);
  if (!found) return <KeyValues value={outputs} />;
  const rest = isRecord(outputs) ? Object.keys(outputs).filter((key) => !found.keys.includes(key)) : [];
  return (
    <>
      <MessageList messages={found.messages} collapse={false} />
      {rest.length > 0 ? <KeyValues value={outputs} omit={found.keys} /> : null}
    </>
  );
}

function RawJson({ event, href }: { event: WaggleEvent | SessionNode; href?: string }): JSX.Element {
  const [open, setOpen] = useState(false);
  const id = useId();
  let text = '';
  if (open) {
    // A session node's children are the whole session: name them instead of repeating them.
    const { children, ...rest } = event as Partial<SessionNode> & WaggleEvent;
    const shown = children ? { ...rest, children: `[${children.length} child events omitted]` } : rest;
    text = JSON.stringify(shown, null, 2);
  }
  return (
    <section className="wg-section wg-raw">
      <div className="wg-raw-actions">
        <button
          type="button"
          className="wg-button"
          aria-expanded={open}
          aria-controls={id}
          onClick={() => setOpen(!open)}
        >
          {open ? 'Hide raw JSON' : 'Show raw JSON'}
        </button>
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer">
            Open raw JSON
          </a>
        ) : null}
      </div>
      {open ? (
        <pre id={id} className="wg-pre wg-raw-json">
          {text}
        </pre>
      ) : null}
    </section>
  );
}
