/** Display formats: durations, money, counts and times in the user's locale. */

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

export function formatCost(cost: number | null | undefined): string {
  if (cost === null || cost === undefined || !Number.isFinite(cost)) return '–';
  if (cost === 0) return '$0';
  if (cost < 0.01) return `$${cost.toPrecision(2)}`;
  return `$${cost.toFixed(cost < 100 ? 4 : 2)}`;
}

const counts = new Intl.NumberFormat();
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return counts.format(value);
}

const times = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  return times.format(new Date(ms));
}

/** A short `key: value, …` rendering of a JSON section (user properties, metadata). */
export function formatProperties(properties: Record<string, unknown> | undefined, max = 3): string {
  if (!properties) return '';
  const entries = Object.entries(properties);
  const shown = entries.slice(0, max).map(([key, value]) => `${key}: ${short(value)}`);
  if (entries.length > max) shown.push(`+${entries.length - max}`);
  return shown.join(', ');
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? '' : text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
