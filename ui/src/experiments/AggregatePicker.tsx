import { type JSX, useId } from 'react';
import { AGGREGATE_FUNCTIONS, type AggregateFunction } from '../api/experiments';
import { Options } from '../components/Options';

/** How each metric is aggregated over a run (the API's `aggregate_function`). */
export function AggregatePicker({
  value,
  onChange,
}: {
  value: AggregateFunction;
  onChange(value: AggregateFunction): void;
}): JSX.Element {
  const id = useId();
  return (
    <span className="inline-field">
      <label htmlFor={id}>Aggregate</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value as AggregateFunction)}>
        <Options values={AGGREGATE_FUNCTIONS} />
      </select>
    </span>
  );
}
