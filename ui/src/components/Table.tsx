import { type ReactNode, useId } from 'react';
import type { SortOrder } from '../api/client';
import { Options } from './Options';

/** A sortable column header: aria-sort on the header, a button to sort by it. */
export function SortHeader<F extends string>({
  label,
  field,
  sortBy,
  sortOrder,
  onSort,
  className,
}: {
  label: string;
  field: F;
  sortBy: F;
  sortOrder: SortOrder;
  onSort(field: F, order: SortOrder): void;
  className?: string;
}) {
  const active = sortBy === field;
  return (
    <th
      scope="col"
      aria-sort={active ? (sortOrder === 'asc' ? 'ascending' : 'descending') : 'none'}
      className={className}
    >
      <button
        type="button"
        className="sort"
        onClick={() => onSort(field, active ? (sortOrder === 'asc' ? 'desc' : 'asc') : defaultOrder(field))}
      >
        {label}
        <span aria-hidden="true" className="sort-mark">
          {active ? (sortOrder === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}

/** A table column: sortable when it names the field it sorts by; `numeric` right-aligns it. */
export interface Column<F extends string> {
  field?: F;
  label: string;
  numeric?: boolean;
}

/** The header cells of `columns`: a SortHeader for each sortable one, a plain header for the rest. */
export function ColumnHeaders<F extends string>({
  columns,
  sortBy,
  sortOrder,
  onSort,
}: {
  columns: readonly Column<F>[];
  sortBy: F;
  sortOrder: SortOrder;
  onSort(field: F, order: SortOrder): void;
}) {
  return columns.map((column) =>
    column.field ? (
      <SortHeader
        key={column.label}
        label={column.label}
        field={column.field}
        sortBy={sortBy}
        sortOrder={sortOrder}
        onSort={onSort}
        className={column.numeric ? 'num' : undefined}
      />
    ) : (
      <th key={column.label} scope="col">
        {column.label}
      </th>
    ),
  );
}

/** A plain column header: its label, or a label that `numeric` right-aligns or `hidden` leaves to screen readers. */
export type Heading = string | { label: string; numeric?: boolean; hidden?: boolean };

/** A table's head: one row of plain column headers; a `false` (a column not shown) is left out. */
export function TableHead({ columns }: { columns: readonly (Heading | false)[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => {
          if (column === false) return null;
          const { label, numeric, hidden } = typeof column === 'string' ? { label: column } : column;
          return (
            <th key={label} scope="col" className={numeric ? 'num' : undefined}>
              {hidden ? <span className="sr-only">{label}</span> : label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}

/**
 * A data table in its scrolling wrap: a caption for screen readers, the head of `columns`, and
 * `children` as its body's rows.
 */
export function DataTable({
  testId,
  caption,
  columns,
  children,
}: {
  testId: string;
  caption: string;
  columns: readonly (Heading | false)[];
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className="data" data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <TableHead columns={columns} />
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** Names sort A→Z first; numbers and times biggest/newest first. */
function defaultOrder(field: string): SortOrder {
  return field === 'event_name' || field === 'model' ? 'asc' : 'desc';
}

export const PAGE_SIZES = [25, 50, 100, 250, 500] as const;

export function Pager({
  page,
  pageSize,
  total,
  noun,
  onPage,
  onPageSize,
}: {
  page: number;
  pageSize: number;
  total: number;
  noun: string;
  onPage(page: number): void;
  onPageSize(size: number): void;
}) {
  const sizeId = useId();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous page
      </button>
      <span aria-live="polite" data-testid="page-status">
        Page {page} of {pages} · {total.toLocaleString()} {noun}
      </span>
      <button type="button" className="secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next page
      </button>
      <span className="inline-field">
        <label htmlFor={sizeId}>Rows per page</label>
        <select id={sizeId} value={pageSize} onChange={(event) => onPageSize(Number(event.target.value))}>
          <Options values={PAGE_SIZES} />
        </select>
      </span>
    </nav>
  );
}
