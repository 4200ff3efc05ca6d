/** Compact formats for tree rows and the time axis. */

export function formatTokens(tokens: number | null | undefined): string {
  if (tokens === null || tokens === undefined || !Number.isFinite(tokens)) return '';
  if (tokens < 1000) return `${tokens} tok`;
  if (tokens < 1_000_000) return `${(tokens / 1000).toFixed(tokens < 10_000 ? 1 : 0)}k tok`;
  return `${(tokens / 1_000_000).toFixed(1)}M tok`;
}

/** An offset on the time axis (`0`, `250 ms`, `1.5 s`, `2 min 30 s`, `1 h 15 min`). */
export function formatOffset(ms: number): string {
  if (ms === 0) return '0';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${trim(abs)} ms`;
  if (abs < 60_000) return `${sign}${trim(abs / 1000)} s`;
  if (abs < 3_600_000) {
    const minutes = Math.floor(abs / 60_000);
    const seconds = Math.round((abs % 60_000) / 1000);
    return `${sign}${minutes} min${seconds ? ` ${seconds} s` : ''}`;
  }
  const hours = Math.floor(abs / 3_600_000);
  const minutes = Math.round((abs % 3_600_000) / 60_000);
  return `${sign}${hours} h${minutes ? ` ${minutes} min` : ''}`;
}

function trim(value: number): string {
  return String(Number(value.toFixed(2)));
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Tick steps that read well on a time axis. */
const STEPS = [
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
];

/**
 * Ticks for the window `[from, to]` (ms since the session start): the multiples of a readable step
 * (1, 2, 5 … ms, 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, hours) giving about `target`
 * ticks.
 */
export function axisTicks(from: number, to: number, target = 6): number[] {
  const span = to - from;
  if (!(span > 0) || !Number.isFinite(span)) return [from];
  const rough = span / target;
  const step = STEPS.find((s) => s >= rough) ?? Math.ceil(rough / (24 * HOUR)) * 24 * HOUR;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to + step * 1e-9 && ticks.length < 100; t += step) {
    ticks.push(Number(t.toFixed(6)));
  }
  return ticks;
}
