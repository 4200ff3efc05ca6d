import './json-field.css';
import { type JSX, useId } from 'react';

/**
 * A labelled JSON box (a monospace textarea): `error` is shown under it, marks it invalid and
 * describes it, so a screen reader reads the problem with the field.
 */
export function JsonField({
  label,
  value,
  error,
  hint,
  rows = 6,
  onChange,
}: {
  label: string;
  value: string;
  error?: string;
  hint?: string;
  rows?: number;
  onChange(value: string): void;
}): JSX.Element {
  const id = useId();
  const described = [error !== undefined ? `${id}-error` : '', hint ? `${id}-hint` : '']
    .filter((part) => part !== '')
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        className="json-input"
        rows={Math.min(20, Math.max(rows, value.split('\n').length + 1))}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        value={value}
        aria-invalid={error !== undefined}
        aria-describedby={described === '' ? undefined : described}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint ? (
        <p id={`${id}-hint`} className="muted small field-hint">
          {hint}
        </p>
      ) : null}
      {error !== undefined ? (
        <span id={`${id}-error`} className="bad small">
          {error}
        </span>
      ) : null}
    </div>
  );
}
