import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { type ConfigurationWire, isApiError, PROVIDERS, type ProviderId } from '../api/client';
import { atLeast, useApp, useProjectRole, useTarget } from '../app/context';
import { useTitle } from '../app/title';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatCost, formatCount, formatDuration } from '../components/format';
import { TextField } from '../components/TextField';
import {
  CompletionError,
  type CompletionResult,
  isMissingProviderKey,
  readCompletion,
  type ToolCallSoFar,
} from '../playground/completion';
import {
  checkParameters,
  completionRequest,
  configurationBody,
  type Draft,
  type DraftMessage,
  draftFromConfiguration,
  emptyDraft,
  filledMessages,
  MESSAGE_ROLES,
  type MessageRole,
  newMessage,
  type Parameters,
  sameAsConfiguration,
  variablesOf,
} from '../playground/draft';
import '../playground/playground.css';
import { Options } from '../components/Options';

const route = getRouteApi('/signed-in/projects/$projectId/playground');

type RunState =
  | { status: 'idle' }
  | { status: 'running'; content: string; toolCalls: ToolCallSoFar[] }
  | { status: 'done'; result: CompletionResult; lookup: EventLookup }
  | { status: 'stopped'; content: string; toolCalls: ToolCallSoFar[] }
  | { status: 'failed'; error: unknown; content: string };

/**
 * Try a prompt against the data plane's LLM proxy: a configuration of the project (or a provider
 * and model), editable messages with `{{variables}}`, parameters; the answer streams in, then its
 * tokens, cost, latency and the event the proxy recorded. The draft can be saved as a new
 * configuration version.
 */
export function PlaygroundPage() {
  const { projectId } = route.useParams();
  const { configuration: configurationId } = route.useSearch();
  const navigate = route.useNavigate();
  const { api, sessions } = useApp();
  const target = useTarget(projectId);
  const { role } = useProjectRole(projectId);
  // OpenAI's end-user field: the console user (an opaque id, never the email: it reaches the provider).
  const user = `waggle-console:${sessions.peek()?.userId ?? 'unknown'}`;
  useTitle('Playground');
  const configurations = useQuery({
    queryKey: ['configurations', target.dataPlaneId, target.projectId],
    queryFn: () => api.listConfigurations(target),
    // A configuration just saved reaches the data plane's copy through config sync (seconds on AWS).
    refetchInterval: (query) =>
      configurationId !== undefined &&
      query.state.data !== undefined &&
      !query.state.data.some((item) => item._id === configurationId)
        ? 2000
        : false,
  });
  const selected = configurations.data?.find((item) => item._id === configurationId);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  // The draft is replaced when another configuration is picked (or the list first has it), never
  // by a later refetch of the same one: that would throw the user's edits away.
  const loaded = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (selected && loaded.current !== selected._id) {
      loaded.current = selected._id;
      // Variable values are the user's test inputs, not part of a configuration: they stay.
      setDraft((previous) => ({ ...draftFromConfiguration(selected), variables: previous.variables }));
    }
  }, [selected]);
  const pick = (id: string) => {
    loaded.current = undefined;
    if (id === '') setDraft(emptyDraft());
    void navigate({ search: id === '' ? {} : { configuration: id }, replace: true });
  };
  const [run, setRun] = useState<RunState>({ status: 'idle' });
  const abort = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => abort.current?.abort(), []);
  const asSaved = selected !== undefined && sameAsConfiguration(draft, selected);
  const parameterErrors = checkParameters(draft.parameters);
  // A viewer's token lacks the `ingest` scope every proxy call needs: the proxy would refuse.
  const mayRun = role === undefined || atLeast(role, 'member');
  const invalid = !mayRun || Object.keys(parameterErrors).length > 0 || draft.model.trim() === '';

  async function start() {
    if (invalid || run.status === 'running') return;
    const controller = new AbortController();
    abort.current = controller;
    setRun({ status: 'running', content: '', toolCalls: [] });
    const startedAt = performance.now();
    const since = Date.now();
    let partial = { content: '', toolCalls: [] as ToolCallSoFar[] };
    const body = completionRequest(draft, {
      user,
      ...(asSaved && selected && { configurationName: selected.name }),
    });
    try {
      const response = await api.openChatCompletion(target, body, controller.signal);
      const result = await readCompletion(response, {
        startedAt,
        now: () => performance.now(),
        onProgress: (next) => {
          partial = next;
          setRun({ status: 'running', ...next, toolCalls: [...next.toolCalls] });
        },
      });
      setRun({
        status: 'done',
        result,
        lookup: result.eventId !== undefined ? { eventId: result.eventId } : { user, since },
      });
    } catch (error) {
      if (controller.signal.aborted) setRun({ status: 'stopped', ...partial });
      else setRun({ status: 'failed', error, content: partial.content });
    } finally {
      if (abort.current === controller) abort.current = undefined;
    }
  }

  return (
    <>
      <div className="page-head">
        <h1>Playground</h1>
      </div>
      <div className="playground">
        <form
          className="playground-editor stack"
          aria-label="Prompt"
          onSubmit={(event) => {
            event.preventDefault();
            void start();
          }}
          onKeyDown={(event) => {
            // Ctrl+Enter (⌘+Enter) runs from anywhere in the form, as in other playgrounds.
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
              event.preventDefault();
              void start();
            }
          }}
        >
          <Source
            configurations={configurations.data}
            loading={configurations.isLoading}
            error={configurations.error}
            selectedId={selected?._id ?? ''}
            onPick={pick}
            draft={draft}
            onChange={setDraft}
            runsAs={
              asSaved && selected
                ? `Runs ${selected.name}${selected.version !== undefined ? ` v${selected.version}` : ''} as saved.`
                : `Runs the draft as ${draft.provider}/${draft.model.trim() || '…'}.`
            }
          />
          {configurationId !== undefined && configurations.data && !selected ? (
            <p className="muted small" role="status">
              Waiting for configuration {configurationId} to reach this data plane…
            </p>
          ) : null}
          <MessageList messages={draft.messages} onChange={(messages) => setDraft({ ...draft, messages })} />
          <Variables draft={draft} onChange={(variables) => setDraft({ ...draft, variables })} />
          <ParameterFields
            parameters={draft.parameters}
            errors={parameterErrors}
            onChange={(parameters) => setDraft({ ...draft, parameters })}
          />
          <div className="actions">
            {run.status === 'running' ? (
              <button type="button" className="danger" onClick={() => abort.current?.abort()}>
                Stop
              </button>
            ) : (
              <button type="submit" disabled={invalid}>
                Run
              </button>
            )}
            <span className="muted small">
              {mayRun ? 'Ctrl+Enter runs' : 'Viewers cannot run prompts: the proxy needs a member or above.'}
            </span>
          </div>
          <SaveVersion
            projectId={projectId}
            draft={draft}
            base={selected}
            canWrite={atLeast(role, 'member')}
            onSaved={(id) => {
              if (id !== undefined && id !== selected?._id) pick(id);
            }}
          />
        </form>
        <Output projectId={projectId} run={run} />
      </div>
    </>
  );
}

function Source(props: {
  configurations: ConfigurationWire[] | undefined;
  loading: boolean;
  error: unknown;
  selectedId: string;
  onPick(id: string): void;
  draft: Draft;
  onChange(draft: Draft): void;
  runsAs: string;
}) {
  const { draft, onChange } = props;
  const ids = { configuration: useId(), provider: useId(), model: useId() };
  return (
    <section className="card stack" aria-labelledby={`${ids.configuration}-h`}>
      <h2 id={`${ids.configuration}-h`}>Source</h2>
      <ErrorMessage error={props.error} title="Could not list configurations" />
      <div className="row">
        <div className="field">
          <label htmlFor={ids.configuration}>Configuration</label>
          <select
            id={ids.configuration}
            value={props.selectedId}
            disabled={props.loading}
            onChange={(event) => props.onPick(event.target.value)}
          >
            <option value="">None (a provider and a model)</option>
            {(props.configurations ?? []).map((item) => (
              <option key={item._id} value={item._id}>
                {item.name}
                {item.version !== undefined ? ` (v${item.version})` : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.provider}>Provider</label>
          <select
            id={ids.provider}
            value={draft.provider}
            onChange={(event) => onChange({ ...draft, provider: event.target.value as ProviderId })}
          >
            <Options values={PROVIDERS} />
          </select>
        </div>
        <div className="field grow">
          <label htmlFor={ids.model}>Model</label>
          <input
            id={ids.model}
            required
            spellCheck={false}
            placeholder="e.g. gpt-4o-mini"
            value={draft.model}
            onChange={(event) => onChange({ ...draft, model: event.target.value })}
          />
        </div>
      </div>
      <p className="muted small" data-testid="runs-as">
        {props.runsAs}
      </p>
    </section>
  );
}

function MessageList({
  messages,
  onChange,
}: {
  messages: DraftMessage[];
  onChange(messages: DraftMessage[]): void;
}) {
  const headingId = useId();
  const baseId = useId();
  const list = useRef<HTMLOListElement>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  // After a change the focus goes where the user expects it (moved item's button, new message's text).
  const [focus, setFocus] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (focus === undefined) return;
    setFocus(undefined);
    if (focus === 'add') addButton.current?.focus();
    else list.current?.querySelector<HTMLElement>(`[data-focus="${focus}"]`)?.focus();
  }, [focus]);
  const move = (index: number, by: -1 | 1) => {
    const next = [...messages];
    const [item] = next.splice(index, 1);
    if (!item) return;
    next.splice(index + by, 0, item);
    onChange(next);
    const edge = (by === -1 && index + by === 0) || (by === 1 && index + by === next.length - 1);
    setFocus(`${item.key}-${edge ? 'content' : by === -1 ? 'up' : 'down'}`);
  };
  return (
    <section className="card stack" aria-labelledby={headingId}>
      <h2 id={headingId}>Messages</h2>
      <ol className="messages-editor stack" ref={list}>
        {messages.map((message, index) => {
          const n = index + 1;
          return (
            <li key={message.key} className="message-editor">
              <div className="row">
                {/* Labels point at their select and textarea (htmlFor) rather than wrap them: a
                    wrapping label's text would include the options or the text typed. */}
                <span className="inline-field">
                  <label htmlFor={`${baseId}-${message.key}-role`}>Role {n}</label>
                  <select
                    id={`${baseId}-${message.key}-role`}
                    value={message.role}
                    onChange={(event) =>
                      onChange(
                        messages.map((m) =>
                          m.key === message.key ? { ...m, role: event.target.value as MessageRole } : m,
                        ),
                      )
                    }
                  >
                    <Options values={MESSAGE_ROLES} />
                  </select>
                </span>
                <span className="grow" />
                <button
                  type="button"
                  className="secondary small"
                  data-focus={`${message.key}-up`}
                  aria-label={`Move message ${n} up`}
                  disabled={index === 0}
                  onClick={() => move(index, -1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="secondary small"
                  data-focus={`${message.key}-down`}
                  aria-label={`Move message ${n} down`}
                  disabled={index === messages.length - 1}
                  onClick={() => move(index, 1)}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="secondary small"
                  aria-label={`Remove message ${n}`}
                  onClick={() => {
                    const next = messages.filter((m) => m.key !== message.key);
                    onChange(next);
                    const neighbour = next[Math.min(index, next.length - 1)];
                    setFocus(neighbour ? `${neighbour.key}-content` : 'add');
                  }}
                >
                  ✕
                </button>
              </div>
              <div className="field">
                <label className="sr-only" htmlFor={`${baseId}-${message.key}-content`}>
                  Content {n}
                </label>
                <textarea
                  id={`${baseId}-${message.key}-content`}
                  data-focus={`${message.key}-content`}
                  rows={Math.min(12, Math.max(2, message.content.split('\n').length))}
                  value={message.content}
                  placeholder={
                    message.role === 'system' ? 'Instructions for the model' : 'Use {{name}} for a variable'
                  }
                  onChange={(event) =>
                    onChange(
                      messages.map((m) =>
                        m.key === message.key ? { ...m, content: event.target.value } : m,
                      ),
                    )
                  }
                />
              </div>
            </li>
          );
        })}
      </ol>
      <div className="actions">
        <button
          ref={addButton}
          type="button"
          className="secondary"
          onClick={() => {
            const last = messages[messages.length - 1];
            const added = newMessage(last?.role === 'user' ? 'assistant' : 'user');
            onChange([...messages, added]);
            setFocus(`${added.key}-content`);
          }}
        >
          Add message
        </button>
      </div>
    </section>
  );
}

function Variables({ draft, onChange }: { draft: Draft; onChange(values: Record<string, string>): void }) {
  const names = useMemo(() => variablesOf(draft.messages), [draft.messages]);
  if (names.length === 0) return null;
  return (
    <section className="card stack" aria-label="Variables">
      <fieldset className="stack">
        <legend>Variables</legend>
        {names.map((name) => (
          <TextField
            key={name}
            label={`{{${name}}}`}
            value={draft.variables[name] ?? ''}
            onChange={(value) => onChange({ ...draft.variables, [name]: value })}
          />
        ))}
      </fieldset>
      <details>
        <summary>Filled messages</summary>
        <ol className="filled-messages" data-testid="filled-messages">
          {filledMessages(draft).map((message, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a read-only rendering of the list in order
            <li key={index}>
              <strong>{message.role}</strong>
              <pre>{message.content}</pre>
            </li>
          ))}
        </ol>
      </details>
    </section>
  );
}

function ParameterFields({
  parameters,
  errors,
  onChange,
}: {
  parameters: Parameters;
  errors: ReturnType<typeof checkParameters>;
  onChange(parameters: Parameters): void;
}) {
  const errorId = useId();
  const field = (name: 'temperature' | 'maxTokens' | 'topP', label: string, step: string) => (
    // The error stays outside the label so the field's name is the label alone.
    <div className="field">
      <label htmlFor={`${errorId}-${name}-input`}>{label}</label>
      <input
        id={`${errorId}-${name}-input`}
        type="number"
        inputMode="decimal"
        step={step}
        min={0}
        placeholder="default"
        value={parameters[name]}
        aria-invalid={errors[name] !== undefined}
        aria-describedby={errors[name] !== undefined ? `${errorId}-${name}` : undefined}
        onChange={(event) => onChange({ ...parameters, [name]: event.target.value })}
      />
      {errors[name] !== undefined ? (
        <span id={`${errorId}-${name}`} className="bad small">
          {errors[name]}
        </span>
      ) : null}
    </div>
  );
  return (
    <section className="card stack" aria-label="Parameters">
      <fieldset className="row parameters">
        <legend>Parameters</legend>
        {field('temperature', 'Temperature', '0.1')}
        {field('maxTokens', 'Max tokens', '1')}
        {field('topP', 'Top P', '0.05')}
        <div className="field grow">
          <label htmlFor={`${errorId}-stop`}>Stop sequences (one per line)</label>
          <textarea
            id={`${errorId}-stop`}
            rows={2}
            value={parameters.stop}
            onChange={(event) => onChange({ ...parameters, stop: event.target.value })}
          />
        </div>
      </fieldset>
    </section>
  );
}

function SaveVersion(props: {
  projectId: string;
  draft: Draft;
  base: ConfigurationWire | undefined;
  canWrite: boolean;
  onSaved(id: string | undefined): void;
}) {
  const { api } = useApp();
  const target = useTarget(props.projectId);
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const save = useMutation({
    mutationFn: async () => {
      if (props.base) {
        const answer = await api.updateConfiguration(
          target,
          props.base._id,
          configurationBody(props.draft, props.base.name, props.base),
        );
        return { id: props.base._id, version: answer.version };
      }
      const answer = await api.createConfiguration(target, configurationBody(props.draft, name.trim()));
      return { id: answer.insertedId, version: answer.version };
    },
    onSuccess: (saved) => {
      setName('');
      void queryClient.invalidateQueries({
        queryKey: ['configurations', target.dataPlaneId, target.projectId],
      });
      props.onSaved(saved.id);
    },
  });
  if (!props.canWrite) return null;
  const needsName = !props.base;
  return (
    <section className="card stack" aria-label="Save">
      <div className="row">
        {needsName ? (
          <TextField
            className="grow"
            label="Configuration name"
            value={name}
            maxLength={200}
            onChange={setName}
          />
        ) : (
          <p className="muted small grow">
            Saving makes version {(props.base?.version ?? 0) + 1} of <strong>{props.base?.name}</strong>; the
            environments keep the versions they serve.
          </p>
        )}
        <button
          type="button"
          className="secondary"
          disabled={save.isPending || props.draft.model.trim() === '' || (needsName && name.trim() === '')}
          onClick={() => save.mutate()}
        >
          {needsName ? 'Save as new configuration' : 'Save as new version'}
        </button>
      </div>
      <ErrorMessage error={save.error} title="Could not save" />
      {save.isSuccess ? (
        <p role="status" className="small">
          Saved{save.data.version !== undefined ? ` as version ${save.data.version}` : ''}.
        </p>
      ) : null}
    </section>
  );
}

function Output({ projectId, run }: { projectId: string; run: RunState }) {
  const content =
    run.status === 'done'
      ? run.result.content
      : run.status === 'running' || run.status === 'stopped' || run.status === 'failed'
        ? run.content
        : '';
  const toolCalls = run.status === 'done' ? run.result.toolCalls : 'toolCalls' in run ? run.toolCalls : [];
  return (
    <section className="playground-output card stack" aria-labelledby="playground-answer">
      <h2 id="playground-answer">Answer</h2>
      <p role="status" className="muted small" data-testid="run-status">
        {run.status === 'idle' ? 'Not run yet.' : null}
        {run.status === 'running' ? 'Running…' : null}
        {run.status === 'done'
          ? `Done${run.result.finishReason ? ` (${run.result.finishReason})` : ''}.`
          : null}
        {run.status === 'stopped' ? 'Stopped.' : null}
        {run.status === 'failed' ? 'Failed.' : null}
      </p>
      <div className="answer" data-testid="playground-output" aria-busy={run.status === 'running'}>
        {content}
        {toolCalls.map((call, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: tool calls arrive by index
          <pre key={index} className="tool-call">
            {call.name}({call.arguments})
          </pre>
        ))}
      </div>
      {run.status === 'failed' ? <RunError projectId={projectId} error={run.error} /> : null}
      {run.status === 'done' ? (
        <RunFacts projectId={projectId} result={run.result} lookup={run.lookup} />
      ) : null}
    </section>
  );
}

function RunError({ projectId, error }: { projectId: string; error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  const code =
    error instanceof CompletionError ? error.code : isApiError(error) ? codeOf(error.body) : undefined;
  const missingKey = isMissingProviderKey({ message, ...(code !== undefined && { code }) });
  return (
    <div className="stack">
      <ErrorMessage error={error} title="The run failed" />
      {missingKey ? (
        <p>
          The project has no key for this provider:{' '}
          <Link to="/projects/$projectId/admin" params={{ projectId }} search={{ tab: 'provider-keys' }}>
            add one in Admin ▸ Provider keys
          </Link>
          .
        </p>
      ) : null}
    </div>
  );
}

function codeOf(body: unknown): string | undefined {
  const error = (body as { error?: { code?: unknown } } | undefined)?.error;
  return typeof error?.code === 'string' ? error.code : undefined;
}

function RunFacts({
  projectId,
  result,
  lookup,
}: {
  projectId: string;
  result: CompletionResult;
  lookup: EventLookup;
}) {
  const { event, polling: stillLooking } = useStoredEvent(projectId, lookup);
  const eventId = result.eventId ?? event.data?.event_id;
  const cost = result.costUsd ?? event.data?.cost ?? undefined;
  const sessionId = result.sessionId ?? event.data?.session_id;
  const waiting = !event.isError && (!event.isFetched || (event.data === null && stillLooking));
  return (
    <>
      <dl className="run-facts">
        <div>
          <dt>Prompt tokens</dt>
          <dd data-testid="run-prompt-tokens">{formatCount(result.usage?.prompt_tokens)}</dd>
        </div>
        <div>
          <dt>Completion tokens</dt>
          <dd data-testid="run-completion-tokens">{formatCount(result.usage?.completion_tokens)}</dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd data-testid="run-cost">{formatCost(cost)}</dd>
        </div>
        <div>
          <dt>Latency</dt>
          <dd data-testid="run-latency">{formatDuration(result.latencyMs)}</dd>
        </div>
        <div>
          <dt>Time to first token</dt>
          <dd data-testid="run-ttft">{formatDuration(result.firstTokenMs)}</dd>
        </div>
      </dl>
      {sessionId !== undefined && eventId !== undefined ? (
        <p>
          <Link
            to="/projects/$projectId/sessions/$sessionId"
            params={{ projectId, sessionId }}
            search={{ event: eventId }}
          >
            Open event
          </Link>
        </p>
      ) : (
        <p className="muted small" data-testid="event-pending">
          {event.isError
            ? 'Could not look the event up.'
            : waiting
              ? 'Waiting for the event to be stored…'
              : 'The event is not stored yet.'}{' '}
          {!waiting && !event.isFetching ? (
            <button type="button" className="secondary small" onClick={() => void event.refetch()}>
              Look again
            </button>
          ) : null}
        </p>
      )}
    </>
  );
}

/** Looks for the stored event 8 times, 1.5 s apart (the writer batches for a few seconds on AWS). */
function polling(lookups: number): boolean {
  return lookups < 8;
}

/**
 * How to find the event the proxy recorded: by its id when the proxy said it (`x-waggle-event-id`),
 * else as the first proxy call of this console user since the run started.
 */
type EventLookup = { eventId: string } | { user: string; since: number };

/**
 * The event the proxy recorded, once it is stored (ingestion takes a moment): looked up to learn
 * its session (for the link) and its cost. Asked again a few times, then on request.
 */
function useStoredEvent(projectId: string, lookup: EventLookup) {
  const { api } = useApp();
  const target = useTarget(projectId);
  const queryClient = useQueryClient();
  const queryKey = ['playground-event', target.dataPlaneId, target.projectId, lookup];
  const query = useQuery({
    queryKey,
    queryFn: async () => {
      const byId = 'eventId' in lookup;
      const answer = await api.exportEvents(target, {
        filters: byId
          ? [{ field: 'event_id', operator: 'is', value: lookup.eventId, type: 'string' }]
          : [
              { field: 'source', operator: 'is', value: 'waggle-proxy', type: 'string' },
              { field: 'metadata.user', operator: 'is', value: lookup.user, type: 'string' },
            ],
        // The newest call of this user that started after the run did (the proxy stamps the start
        // with its clock: 2 s of slack). A clock far ahead of the server's finds nothing, never
        // another run's event; older runs started earlier.
        dateRange: byId ? { relative: '24h' } : { $gte: lookup.since - 2_000, $lte: Date.now() + 60_000 },
        sortBy: 'start_time',
        sortOrder: 'desc',
        limit: 1,
        page: 1,
        projections: ['event_id', 'session_id', 'cost'],
      });
      return answer.events[0] ?? null;
    },
    refetchInterval: (state) =>
      state.state.data === null && polling(state.state.dataUpdateCount) ? 1500 : false,
    retry: false,
  });
  const lookups = queryClient.getQueryState(queryKey)?.dataUpdateCount ?? 0;
  return { event: query, polling: polling(lookups) };
}
