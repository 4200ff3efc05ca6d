import type { InputHTMLAttributes, JSX, ReactNode } from 'react';

/**
 * A labelled text input (`.field`, plus `className`): the label's text above the input; the input
 * takes the other attributes as given, and `onChange` gets the new text.
 */
export function TextField({
  label,
  className,
  onChange,
  ...input
}: {
  label: ReactNode;
  className?: string;
  value: string;
  onChange(value: string): void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'className' | 'value' | 'onChange'>): JSX.Element {
  return (
    <label className={className ? `field ${className}` : 'field'}>
      <span>{label}</span>
      <input {...input} onChange={(event) => onChange(event.target.value)} />
    </label>
  );
}
