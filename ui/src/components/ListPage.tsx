/** The parts the sessions and events lists share: the head with the time range, the filters card. */
import type { ReactNode } from 'react';
import type { EventFilter } from '../api/types';
import { FilterEditor } from './FilterEditor';
import type { FieldSuggestion } from './filters';
import { TimeRangePicker, type TimeRangeValue } from './TimeRange';

/** The page title, its time range and a Refresh button (disabled while the list is fetching). */
export function ListHead({
  title,
  range,
  onRange,
  fetching,
  onRefresh,
}: {
  title: string;
  range: TimeRangeValue;
  onRange(range: TimeRangeValue): void;
  fetching: boolean;
  onRefresh(): void;
}) {
  return (
    <div className="page-head">
      <h1>{title}</h1>
      <TimeRangePicker value={range} onChange={onRange} />
      <button type="button" className="secondary" disabled={fetching} onClick={onRefresh}>
        Refresh
      </button>
    </div>
  );
}

/** The filters, folded away unless some are set; `children` come before the editor. */
export function FiltersCard({
  filters,
  suggestions,
  onChange,
  children,
}: {
  filters: EventFilter[];
  suggestions: readonly FieldSuggestion[];
  onChange(filters: EventFilter[]): void;
  children?: ReactNode;
}) {
  return (
    <details className="card filters-card" open={filters.length > 0 || undefined}>
      <summary>Filters{filters.length > 0 ? ` (${filters.length})` : ''}</summary>
      {children}
      <FilterEditor
        key={JSON.stringify(filters)}
        filters={filters}
        suggestions={suggestions}
        onChange={onChange}
      />
    </details>
  );
}
