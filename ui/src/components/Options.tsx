import type { JSX, ReactNode } from 'react';

/**
 * A select's options from a list of values: each value is its own key and, unless `label` says
 * otherwise, its own text.
 */
export function Options<Value extends string | number>({
  values,
  label = String,
}: {
  values: readonly Value[];
  label?: (value: Value) => ReactNode;
}): JSX.Element {
  return (
    <>
      {values.map((value) => (
        <option key={value} value={value}>
          {label(value)}
        </option>
      ))}
    </>
  );
}
