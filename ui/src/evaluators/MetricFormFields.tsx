/**
 * The evaluator form's fields: name, type, the Python code (custom) or the judge prompt with its
 * provider and model (model), return type, what passes (threshold or pass_when), enabled in
 * production, sampling, the event type and name it scores. Human and composite metrics show the
 * shared fields only: their own (criteria, children) are kept as they are. Each field's error sits
 * outside its label, tied to it by aria-describedby.
 */
import { type JSX, type ReactNode, useId } from 'react';
import { PROVIDERS } from '../api/client';
import {
  EDITABLE_TYPES,
  EVENT_TYPES,
  type FormErrors,
  type MetricForm,
  promptVariables,
  RETURN_TYPES,
  TYPE_LABELS,
} from './form';

export function MetricFormFields({
  form,
  errors,
  isNew,
  onChange,
}: {
  form: MetricForm;
  errors: FormErrors;
  isNew: boolean;
  onChange(form: MetricForm): void;
}): JSX.Element {
  const id = useId();
  const set = <K extends keyof MetricForm>(key: K, value: MetricForm[K]) =>
    onChange({ ...form, [key]: value });
  const field = (key: keyof MetricForm, label: string, control: (props: FieldProps) => ReactNode) => {
    const controlId = `${id}-${key}`;
    const error = errors[key];
    return (
      <div className="field">
        <label htmlFor={controlId}>{label}</label>
        {control({
          id: controlId,
          'aria-invalid': error !== undefined,
          'aria-describedby': error !== undefined ? `${controlId}-error` : undefined,
        })}
        {error !== undefined ? (
          <span id={`${controlId}-error`} className="bad small">
            {error}
          </span>
        ) : null}
      </div>
    );
  };
  const editable = EDITABLE_TYPES.includes(form.type);
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
            // A stored human or composite metric keeps its type: the form does not edit their fields.
            disabled={!isNew && !editable}
            onChange={(event) => set('type', event.target.value as MetricForm['type'])}
          >
            {(editable ? EDITABLE_TYPES : [form.type]).map((type) => (
              <option key={type} value={type}>
                {TYPE_LABELS[type]}
              </option>
            ))}
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
                <option value="">none (provider/model in Model)</option>
                {PROVIDERS.map((provider) => (
                  <option key={provider} value={provider}>
                    {provider}
                  </option>
                ))}
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
      <fieldset className="row evaluator-row">
        <legend>Score</legend>
        {field('returnType', 'Return type', (props) => (
          <select
            {...props}
            value={form.returnType}
            onChange={(event) => set('returnType', event.target.value as MetricForm['returnType'])}
          >
            {RETURN_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        ))}
        {form.returnType === 'float' ? (
          <>
            {field('thresholdMin', 'Passes at least', (props) => (
              <input
                {...props}
                type="number"
                inputMode="decimal"
                step="any"
                placeholder="no minimum"
                value={form.thresholdMin}
                onChange={(event) => set('thresholdMin', event.target.value)}
              />
            ))}
            {field('thresholdMax', 'Passes at most', (props) => (
              <input
                {...props}
                type="number"
                inputMode="decimal"
                step="any"
                placeholder="no maximum"
                value={form.thresholdMax}
                onChange={(event) => set('thresholdMax', event.target.value)}
              />
            ))}
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
            {EVENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
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
    </div>
  );
}

interface FieldProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}
