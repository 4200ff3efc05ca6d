import './json-field.css';
import type { JSX } from 'react';
import { FormField } from './FormField';

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
  return (
    <FormField label={label} error={error} hint={hint}>
      {(props) => (
        <textarea
          {...props}
          className="json-input"
          rows={Math.min(20, Math.max(rows, value.split('\n').length + 1))}
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          value={value}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
    </FormField>
  );
}
