import { type FormEvent, useState } from 'react';
import type { EventFilter } from '../api/types';
import { type EditableRow, FilterRows } from './FilterRows';
import { type FieldSuggestion, toFilter, toRow } from './filters';

interface Props {
  filters: EventFilter[];
  onChange(filters: EventFilter[]): void;
  suggestions: readonly FieldSuggestion[];
}

/**
 * Filter rows (field, operator, value) in HoneyHive's grammar. Edits stay local until "Apply
 * filters", which hands the complete filters to the page. The rows are FilterRows, which the
 * evaluator form also renders inside its own form.
 */
export function FilterEditor({ filters, onChange, suggestions }: Props) {
  const [rows, setRows] = useState<EditableRow[]>(() =>
    filters.map((filter, key) => ({ ...toRow(filter), key })),
  );
  const [errors, setErrors] = useState<Record<number, string>>({});

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
      <FilterRows
        rows={rows}
        suggestions={suggestions}
        errors={errors}
        onChange={setRows}
        actions={<button type="submit">Apply filters</button>}
      />
    </form>
  );
}
