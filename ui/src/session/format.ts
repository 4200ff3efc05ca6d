/** Compact formats for tree rows and the time axis. */

export function formatTokens(tokens: number | null | undefined): string {
  if (tokens === null || tokens === undefined || !Number.isFinite(tokens)) return '';
  if (tokens < 1000) return `${tokens} tok`;
  if (tokens < 1_000_000) return `${(tokens / 1000).toFixed(tokens < 10_000 ? 1 : 0)}k tok`;
  return `${(tokens / 1_000_000).toFixed(1)}M tok`;
}

/** An offset on the time axis (`0`, `250 ms`, `1.5 s`, `2 min`, `1.5 h`). */
export function formatOffset(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 1000) return `${trim(ms)} ms`;
  if (ms < 60_000) return `${trim(ms / 1000)} s`;
  if (ms < 3_600_000) return `${trim(ms / 60_000)} min`;
  return `${trim(ms / 3_600_000)} h`;
}

function trim(value: number): string {
  return String(Number(value.toFixed(2)));
}

/** Round tick steps (1, 2, 5 × 10^k ms) giving about `target` ticks over `span` ms. */
export function axisTicks(span: number, target = 6): number[] {
  if (!(span > 0) || !Number.isFinite(span)) return [0];
  const rough = span / target;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = 0; t <= span + step * 1e-9 && ticks.length < 100; t += step) ticks.push(t);
  return ticks;
}
