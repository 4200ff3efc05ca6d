import { type FormEvent, useId, useState } from 'react';
import type { EventFilter } from '../api/types';
import {
  type FieldSuggestion,
  type FilterRow,
  needsValue,
  OPERATORS,
  toFilter,
  toRow,
  typeOf,
} from './filters';

interface Props {
  filters: EventFilter[];
  onChange(filters: EventFilter[]): void;
  suggestions: readonly FieldSuggestion[];
}

interface EditableRow extends FilterRow {
  key: number;
}

/**
 * Filter rows (field, operator, value) in HoneyHive's grammar. Edits stay local until "Apply
 * filters", which hands the complete filters to the page.
 */
export function FilterEditor({ filters, onChange, suggestions }: Props) {
  const id = useId();
  const [nextKey, setNextKey] = useState(filters.length);
  const [rows, setRows] = useState<EditableRow[]>(() =>
    filters.map((filter, key) => ({ ...toRow(filter), key })),
  );
  const [errors, setErrors] = useState<Record<number, string>>({});

  const update = (key: number, patch: Partial<FilterRow>) =>
    setRows((current) => current.map((row) => (row.key === key ? { ...row, ...patch } : row)));

  function addRow() {
    setRows((current) => [...current, { key: nextKey, field: '', operator: 'is', value: '' }]);
    setNextKey(nextKey + 1);
  }

  function apply(event: FormEvent) {
    event.preventDefault();
    const built: EventFilter[] = [];
    const problems: Record<number, string> = {};
    for (const row of rows) {
      const result = toFilter(row, suggestions);
      if ('error' in result) problems[row.key] = result.error;
      else built.push(result.filter);
    }
    setErrors(problems);
    if (Object.keys(problems).length === 0) onChange(built);
  }

  return (
    <form className="filters" onSubmit={apply} aria-label="Filters">
      <datalist id={`${id}-fields`}>
        {suggestions.map((suggestion) => (
          <option key={suggestion.field} value={suggestion.field} />
        ))}
      </datalist>
      {rows.length === 0 ? <p className="muted small">No filters.</p> : null}
      <ol className="filter-rows">
        {rows.map((row, index) => {
          const type = typeOf(row.field.trim(), suggestions);
          const operators = OPERATORS[type];
          const operator = operators.includes(row.operator) ? row.operator : (operators[0] ?? 'is');
          const n = index + 1;
          return (
            <li key={row.key} className="filter-row">
              <input
                aria-label={`Field ${n}`}
                list={`${id}-fields`}
                placeholder="field, e.g. model or metadata.customer"
                value={row.field}
                onChange={(event) => update(row.key, { field: event.target.value })}
              />
              <select
                aria-label={`Operator ${n}`}
                value={operator}
                onChange={(event) => update(row.key, { operator: event.target.value })}
              >
                {operators.map((candidate) => (
                  <option key={candidate} value={candidate}>
                    {candidate}
                  </option>
                ))}
              </select>
              {needsValue(operator) ? (
                type === 'boolean' ? (
                  <select
                    aria-label={`Value ${n}`}
                    value={row.value}
                    onChange={(event) => update(row.key, { value: event.target.value })}
                  >
                    <option value="">choose…</option>
                    <option value="true">true</option>
                    <option value="false">false</option>
                  </select>
                ) : (
                  <input
                    aria-label={`Value ${n}`}
                    type={type === 'number' ? 'number' : type === 'datetime' ? 'datetime-local' : 'text'}
                    step={type === 'number' ? 'any' : undefined}
                    value={row.value}
                    onChange={(event) => update(row.key, { value: event.target.value })}
                  />
                )
              ) : (
                <span className="muted small filter-novalue">no value</span>
              )}
              <button
                type="button"
                className="secondary small"
                aria-label={`Remove filter ${n}`}
                onClick={() => setRows((current) => current.filter((candidate) => candidate.key !== row.key))}
              >
                ✕
              </button>
              {errors[row.key] ? (
                <span className="error inline" role="alert">
                  {errors[row.key]}
                </span>
              ) : null}
            </li>
          );
        })}
      </ol>
      <div className="row">
        <button type="button" className="secondary" onClick={addRow}>
          Add filter
        </button>
        <button type="submit">Apply filters</button>
      </div>
    </form>
  );
}
