/**
 * The rows of a filter editor (field, operator, value, remove) and its "Add filter" button, as
 * controlled inputs with no <form> of their own: FilterEditor wraps them in its form with "Apply
 * filters", the evaluator form renders them inside its own form.
 */
import { type ReactNode, useId } from 'react';
import { type FieldSuggestion, type FilterRow, needsValue, OPERATORS, typeOf } from './filters';
import { Options } from './Options';

export interface EditableRow extends FilterRow {
  /** Stable within one list (React's key): rows keep their inputs when another is removed. */
  key: number;
}

/** A new empty row with a key no row of the list has. */
export function newRow(rows: readonly EditableRow[]): EditableRow {
  const key = rows.reduce((max, row) => Math.max(max, row.key + 1), 0);
  return { key, field: '', operator: 'is', value: '' };
}

export function FilterRows({
  rows,
  suggestions,
  errors = {},
  onChange,
  actions,
}: {
  rows: readonly EditableRow[];
  suggestions: readonly FieldSuggestion[];
  /** A message per row key, shown beside the row. */
  errors?: Readonly<Record<number, string>>;
  onChange(rows: EditableRow[]): void;
  /** More buttons after "Add filter" (FilterEditor's "Apply filters"). */
  actions?: ReactNode;
}) {
  const id = useId();
  const update = (key: number, patch: Partial<FilterRow>) =>
    onChange(rows.map((row) => (row.key === key ? { ...row, ...patch } : row)));
  return (
    <>
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
                <Options values={operators} />
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
                onClick={() => onChange(rows.filter((candidate) => candidate.key !== row.key))}
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
        <button type="button" className="secondary" onClick={() => onChange([...rows, newRow(rows)])}>
          Add filter
        </button>
        {actions}
      </div>
    </>
  );
}
