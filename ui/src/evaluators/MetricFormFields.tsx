/**
 * The evaluator form's fields: name, type, the Python code (custom), the judge prompt with its
 * provider and model (model), the reviewers' instructions (human) or the weighted children
 * (composite); return type, what passes (threshold or pass_when), enabled in production, sampling,
 * the event type and name it scores, and its filters (FilterRows, inside this form). Each field's
 * error sits outside its label, tied to it by aria-describedby.
 */
import { type JSX, type ReactNode, useId } from 'react';
import { type MetricWire, PROVIDERS } from '../api/client';
import { FilterRows } from '../components/FilterRows';
import { type ControlProps, FormField } from '../components/FormField';
import type { FieldSuggestion } from '../components/filters';
import { Options } from '../components/Options';
import {
  type ChildRow,
  childChoices,
  EDITABLE_TYPES,
  EVENT_TYPES,
  type FormErrors,
  fieldTypes,
  MAX_CHILD_METRICS,
  type MetricForm,
  promptVariables,
  RETURN_TYPES,
  TYPE_LABELS,
} from './form';

export function MetricFormFields({
  form,
  errors,
  filterRowErrors = {},
  metrics = [],
  selfId,
  suggestions = [],
  onChange,
}: {
  form: MetricForm;
  errors: FormErrors;
  /** Each filter row's problem, by row key. */
  filterRowErrors?: Readonly<Record<number, string>>;
  /** The project's metrics: a composite's children are chosen from them. */
  metrics?: readonly MetricWire[];
  /** The edited metric's id (a composite cannot hold itself). */
  selfId?: string;
  /** Filter fields from the event schema. */
  suggestions?: readonly FieldSuggestion[];
  onChange(form: MetricForm): void;
}): JSX.Element {
  const id = useId();
  const set = <K extends keyof MetricForm>(key: K, value: MetricForm[K]) =>
    onChange({ ...form, [key]: value });
  const field = (key: keyof MetricForm, label: string, control: (props: ControlProps) => ReactNode) => (
    <FormField label={label} error={errors[key]}>
      {control}
    </FormField>
  );
  const thresholdField = (key: 'thresholdMin' | 'thresholdMax', label: string, placeholder: string) =>
    field(key, label, (props) => (
      <input
        {...props}
        type="number"
        inputMode="decimal"
        step="any"
        placeholder={placeholder}
        value={form[key]}
        onChange={(event) => set(key, event.target.value)}
      />
    ));
  const variables = form.type === 'model' ? promptVariables(form.prompt) : [];
  return (
    <div className="stack">
      <div className="row evaluator-row">
        <div className="grow">
          {field('name', 'Name', (props) => (
            <input
              {...props}
              value={form.name}
              maxLength={200}
              spellCheck={false}
              onChange={(event) => set('name', event.target.value)}
            />
          ))}
        </div>
        {field('type', 'Type', (props) => (
          <select
            {...props}
            value={form.type}
            onChange={(event) => set('type', event.target.value as MetricForm['type'])}
          >
            <Options values={EDITABLE_TYPES} label={(type) => TYPE_LABELS[type]} />
          </select>
        ))}
      </div>
      {field('description', 'Description', (props) => (
        <input
          {...props}
          value={form.description}
          onChange={(event) => set('description', event.target.value)}
        />
      ))}
      {form.type === 'custom'
        ? field('codeSnippet', 'Python code', (props) => (
            <textarea
              {...props}
              className="code-input"
              rows={Math.min(24, Math.max(8, form.codeSnippet.split('\n').length + 1))}
              spellCheck={false}
              autoCapitalize="off"
              autoCorrect="off"
              value={form.codeSnippet}
              onChange={(event) => set('codeSnippet', event.target.value)}
            />
          ))
        : null}
      {form.type === 'custom' ? (
        <p className="muted small">
          The first function defined is called with the event as a dict (inputs, outputs, metadata, metrics,
          ...); what it prints becomes the score's explanation.
        </p>
      ) : null}
      {form.type === 'model' ? (
        <>
          {field('prompt', 'Judge prompt', (props) => (
            <textarea
              {...props}
              className="code-input"
              rows={Math.min(20, Math.max(6, form.prompt.split('\n').length + 1))}
              value={form.prompt}
              onChange={(event) => set('prompt', event.target.value)}
            />
          ))}
          <p className="muted small" data-testid="prompt-variables">
            {variables.length === 0
              ? 'No {{variables}}: use {{inputs}}, {{outputs}}, {{metadata.key}}... to put the event in.'
              : `Variables: ${variables.map((name) => `{{${name}}}`).join(', ')}`}
          </p>
          <div className="row evaluator-row">
            {field('modelProvider', 'Provider', (props) => (
              <select
                {...props}
                value={form.modelProvider}
                onChange={(event) => set('modelProvider', event.target.value)}
              >
                <option value="">choose a provider…</option>
                <Options values={PROVIDERS} />
              </select>
            ))}
            <div className="grow">
              {field('modelName', 'Model', (props) => (
                <input
                  {...props}
                  value={form.modelName}
                  spellCheck={false}
                  placeholder="e.g. gpt-4o-mini"
                  onChange={(event) => set('modelName', event.target.value)}
                />
              ))}
            </div>
          </div>
        </>
      ) : null}
      {form.type === 'human' ? (
        <>
          {field('criteria', 'Instructions for reviewers', (props) => (
            <textarea
              {...props}
              rows={Math.min(12, Math.max(3, form.criteria.split('\n').length + 1))}
              placeholder="e.g. Is the answer polite and on topic?"
              value={form.criteria}
              onChange={(event) => set('criteria', event.target.value)}
            />
          ))}
          <p className="muted small">
            Reviewers score it on the Review page. Its queue: the events its event type, name and filters
            pick, and those added by hand from an event's detail, until each has a score.
          </p>
        </>
      ) : null}
      {form.type === 'composite' ? (
        <Children
          form={form}
          error={errors.childMetrics}
          choices={childChoices(metrics, selfId)}
          onChange={(childMetrics) => set('childMetrics', childMetrics)}
        />
      ) : null}
      <fieldset className="row evaluator-row">
        <legend>Score</legend>
        {field('returnType', 'Return type', (props) => (
          <select
            {...props}
            value={form.returnType}
            onChange={(event) => set('returnType', event.target.value as MetricForm['returnType'])}
          >
            <Options values={RETURN_TYPES} />
          </select>
        ))}
        {form.returnType === 'float' ? (
          <>
            {thresholdField('thresholdMin', 'Passes at least', 'no minimum')}
            {thresholdField('thresholdMax', 'Passes at most', 'no maximum')}
          </>
        ) : null}
        {form.returnType === 'boolean'
          ? field('passWhen', 'Passes when', (props) => (
              <select
                {...props}
                value={form.passWhen}
                onChange={(event) => set('passWhen', event.target.value as MetricForm['passWhen'])}
              >
                <option value="">no verdict</option>
                <option value="true">true</option>
                <option value="false">false</option>
              </select>
            ))
          : null}
        {form.returnType === 'string' ? (
          <p className="muted small">A string score has no pass or fail.</p>
        ) : null}
      </fieldset>
      <fieldset className="row evaluator-row">
        <legend>Online evaluation</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={form.enabledInProd}
            onChange={(event) => set('enabledInProd', event.target.checked)}
          />
          Enabled in production
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={form.needsGroundTruth}
            onChange={(event) => set('needsGroundTruth', event.target.checked)}
          />
          Needs ground truth
        </label>
        {field('samplingPercentage', 'Sampling %', (props) => (
          <input
            {...props}
            type="number"
            inputMode="decimal"
            min={0}
            max={100}
            step="any"
            value={form.samplingPercentage}
            onChange={(event) => set('samplingPercentage', event.target.value)}
          />
        ))}
        {field('eventType', 'Event type', (props) => (
          <select
            {...props}
            value={form.eventType}
            onChange={(event) => set('eventType', event.target.value as MetricForm['eventType'])}
          >
            <option value="">any</option>
            <Options values={EVENT_TYPES} />
          </select>
        ))}
        <div className="grow">
          {field('eventName', 'Event name', (props) => (
            <input
              {...props}
              value={form.eventName}
              placeholder="any"
              spellCheck={false}
              onChange={(event) => set('eventName', event.target.value)}
            />
          ))}
        </div>
      </fieldset>
      <fieldset
        className="evaluator-row evaluator-filters"
        aria-describedby={errors.filters ? `${id}-filters-error` : undefined}
      >
        <legend>Filters</legend>
        <p className="muted small">
          Only events matching every filter are scored{form.type === 'human' ? ' (or queued for review)' : ''}
          ; a field is a column or a path such as metadata.customer.
        </p>
        <FilterRows
          rows={form.filters}
          suggestions={fieldTypes(form, suggestions)}
          errors={filterRowErrors}
          onChange={(filters) => set('filters', filters)}
        />
        {errors.filters !== undefined ? (
          <span id={`${id}-filters-error`} className="bad small">
            {errors.filters}
          </span>
        ) : null}
      </fieldset>
    </div>
  );
}

/** A composite's children: a metric of the project and a weight each; the score is their weighted mean. */
function Children({
  form,
  error,
  choices,
  onChange,
}: {
  form: MetricForm;
  error: string | undefined;
  choices: readonly MetricWire[];
  onChange(children: ChildRow[]): void;
}): JSX.Element {
  const id = useId();
  const rows = form.childMetrics;
  const update = (key: number, patch: Partial<ChildRow>) =>
    onChange(rows.map((row) => (row.key === key ? { ...row, ...patch } : row)));
  const nextKey = rows.reduce((max, row) => Math.max(max, row.key + 1), 0);
  const total = rows.reduce((sum, row) => sum + (Number(row.weight) || 0), 0);
  return (
    <fieldset
      className="evaluator-row evaluator-children"
      aria-describedby={error ? `${id}-error` : undefined}
    >
      <legend>Child metrics</legend>
      <p className="muted small">
        The score is the weighted mean of the children's scores on the same event (a boolean composite is true
        at 0.5 or more). Human metrics cannot be children: reviewers score them.
      </p>
      {rows.length === 0 ? <p className="muted small">No children yet.</p> : null}
      <ol className="child-rows">
        {rows.map((row, index) => {
          const n = index + 1;
          // A stored child is named by id; one only named (older metrics) is found by its name.
          const chosen =
            row.id !== '' ? row.id : (choices.find((metric) => metric.name === row.name)?._id ?? '');
          const known = chosen === '' || choices.some((metric) => metric._id === chosen);
          const share = total > 0 ? Math.round(((Number(row.weight) || 0) / total) * 100) : 0;
          return (
            <li key={row.key} className="child-row">
              <select
                aria-label={`Child metric ${n}`}
                value={chosen}
                onChange={(event) => {
                  const metric = choices.find((candidate) => candidate._id === event.target.value);
                  update(row.key, { id: metric?._id ?? '', name: metric?.name ?? '' });
                }}
              >
                <option value="">choose a metric…</option>
                {known ? null : <option value={chosen}>{row.name} (not selectable)</option>}
                {choices.map((metric) => (
                  <option key={metric._id} value={metric._id}>
                    {metric.name} ({TYPE_LABELS[metric.type] ?? metric.type}, {metric.return_type})
                  </option>
                ))}
              </select>
              <label className="child-weight">
                <span>Weight {n}</span>
                <input
                  type="number"
                  inputMode="decimal"
                  min={0}
                  step="any"
                  value={row.weight}
                  onChange={(event) => update(row.key, { weight: event.target.value })}
                />
              </label>
              <span className="muted small" data-testid="child-share">
                {share}%
              </span>
              <button
                type="button"
                className="secondary small"
                aria-label={`Remove child ${n}`}
                onClick={() => onChange(rows.filter((candidate) => candidate.key !== row.key))}
              >
                ✕
              </button>
            </li>
          );
        })}
      </ol>
      <button
        type="button"
        className="secondary"
        disabled={rows.length >= MAX_CHILD_METRICS}
        onClick={() => onChange([...rows, { key: nextKey, id: '', name: '', weight: '1' }])}
      >
        Add child metric
      </button>
      {error !== undefined ? (
        <span id={`${id}-error`} className="bad small">
          {error}
        </span>
      ) : null}
    </fieldset>
  );
}
