import { type JSX, type ReactNode, useId } from 'react';

/** The attributes a FormField gives its control: its id, and its error as invalid and described. */
export interface ControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

/**
 * A labelled control (`.field`): the label above, the control `children` builds from ControlProps, then
 * an optional hint and the error (both describe the control, so a screen reader reads them with it).
 */
export function FormField({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string;
  hint?: string;
  children(props: ControlProps): ReactNode;
}): JSX.Element {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error !== undefined ? `${id}-error` : '']
    .filter((part) => part !== '')
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        'aria-invalid': error !== undefined,
        'aria-describedby': described === '' ? undefined : described,
      })}
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
