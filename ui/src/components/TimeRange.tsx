import { useId, useState } from 'react';
import type { DateRange } from '../api/client';

export type Preset = '1h' | '24h' | '7d' | '30d';
export type TimeRangeValue = { preset: Preset } | { preset: 'custom'; from: number; to: number };

export const PRESETS: { value: Preset; label: string; ms: number }[] = [
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
];

/** The read API's dateRange: `{relative}` for a preset, ISO bounds for a custom range. */
export function toDateRange(range: TimeRangeValue): DateRange {
  if (range.preset === 'custom') {
    return { $gte: new Date(range.from).toISOString(), $lte: new Date(range.to).toISOString() };
  }
  return { relative: range.preset };
}

/** The range's absolute bounds (epoch ms) as of `now`. */
export function rangeBounds(range: TimeRangeValue, now = Date.now()): { from: number; to: number } {
  if (range.preset === 'custom') return { from: range.from, to: range.to };
  const preset = PRESETS.find((candidate) => candidate.value === range.preset);
  return { from: now - (preset?.ms ?? 86_400_000), to: now };
}

export function describeRange(range: TimeRangeValue): string {
  if (range.preset === 'custom') {
    return `${new Date(range.from).toLocaleString()} – ${new Date(range.to).toLocaleString()}`;
  }
  return (PRESETS.find((candidate) => candidate.value === range.preset)?.label ?? range.preset).toLowerCase();
}

/** `datetime-local` text in the user's time zone. */
function localInput(ms: number): string {
  const date = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 16);
}

export function TimeRangePicker({
  value,
  onChange,
}: {
  value: TimeRangeValue;
  onChange(next: TimeRangeValue): void;
}) {
  const id = useId();
  const [custom, setCustom] = useState(() => {
    const bounds = rangeBounds(value);
    return { from: localInput(bounds.from), to: localInput(bounds.to) };
  });
  const [editing, setEditing] = useState(value.preset === 'custom');
  const [error, setError] = useState<string>();
  const selected = editing ? 'custom' : value.preset;
  return (
    <div className="time-range">
      <label className="inline-field" htmlFor={`${id}-preset`}>
        <span>Time range</span>
      </label>
      <select
        id={`${id}-preset`}
        value={selected}
        onChange={(event) => {
          const next = event.target.value;
          if (next === 'custom') {
            setEditing(true);
            return;
          }
          setEditing(false);
          setError(undefined);
          onChange({ preset: next as Preset });
        }}
      >
        {PRESETS.map((preset) => (
          <option key={preset.value} value={preset.value}>
            {preset.label}
          </option>
        ))}
        <option value="custom">Custom…</option>
      </select>
      {editing ? (
        <form
          className="custom-range"
          onSubmit={(event) => {
            event.preventDefault();
            const from = Date.parse(custom.from);
            const to = Date.parse(custom.to);
            if (!Number.isFinite(from) || !Number.isFinite(to)) {
              setError('Give both a start and an end');
              return;
            }
            if (from > to) {
              setError('The start must be before the end');
              return;
            }
            setError(undefined);
            onChange({ preset: 'custom', from, to });
          }}
        >
          <label className="inline-field">
            <span>From</span>
            <input
              type="datetime-local"
              value={custom.from}
              onChange={(event) => setCustom({ ...custom, from: event.target.value })}
            />
          </label>
          <label className="inline-field">
            <span>To</span>
            <input
              type="datetime-local"
              value={custom.to}
              onChange={(event) => setCustom({ ...custom, to: event.target.value })}
            />
          </label>
          <button type="submit" className="secondary">
            Apply range
          </button>
          {error ? (
            <span className="error inline" role="alert">
              {error}
            </span>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}
