import type { JSX, ReactNode } from 'react';
import { Options } from './Options';

/** A labelled select over a list of values (TextField's sibling): the value chosen is one of them. */
export function SelectField<Value extends string>({
  label,
  value,
  values,
  optionLabel,
  onChange,
}: {
  label: ReactNode;
  value: Value;
  values: readonly Value[];
  optionLabel?: (value: NoInfer<Value>) => ReactNode;
  onChange(value: NoInfer<Value>): void;
}): JSX.Element {
  return (
    <label className="field">
      <span>{label}</span>
      <select value={value} onChange={(event) => onChange(event.target.value as Value)}>
        <Options values={values} label={optionLabel} />
      </select>
    </label>
  );
}
