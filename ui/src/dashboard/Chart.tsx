import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Series } from './buckets';

const PALETTE = [
  '#2f6fdf',
  '#d9480f',
  '#2b8a3e',
  '#9c36b5',
  '#c2255c',
  '#0b7285',
  '#e67700',
  '#5c940d',
  '#364fc7',
  '#862e9c',
];

/** A theme variable's value (the page's colours), or `fallback` where it is unset. */
export function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

/** A uPlot time-series chart that follows its container's width. */
export function TimeChart({
  x,
  series,
  format,
  height = 220,
}: {
  x: number[];
  series: Series[];
  format(value: number): string;
  height?: number;
}) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = series.map((entry) => entry.label).join('\n');

  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart is rebuilt when its series change, and only updated for new data
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const axis = cssVar('--text-muted', '#666');
    const grid = cssVar('--border', '#ddd');
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 300),
      height,
      legend: { show: true },
      scales: { x: { time: true } },
      axes: [
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          size: 88,
          values: (_self, ticks) => ticks.map((tick) => format(tick)),
        },
      ],
      series: [
        {},
        ...series.map((entry, index) => ({
          label: entry.label,
          stroke: entry.stroke ?? PALETTE[index % PALETTE.length],
          ...(entry.dash && { dash: entry.dash }),
          width: 2,
          spanGaps: false,
          points: { show: x.length < 60 },
          value: (_self: uPlot, value: number | null) => (value === null ? '–' : format(value)),
        })),
      ],
    };
    const created = new uPlot(
      options,
      [x, ...series.map((entry) => entry.values)] as uPlot.AlignedData,
      element,
    );
    plot.current = created;
    const observer =
      typeof ResizeObserver === 'undefined'
        ? undefined
        : new ResizeObserver(() => created.setSize({ width: Math.max(element.clientWidth, 300), height }));
    observer?.observe(element);
    return () => {
      observer?.disconnect();
      created.destroy();
      plot.current = null;
    };
  }, [labels, height]);

  useEffect(() => {
    plot.current?.setData([x, ...series.map((entry) => entry.values)] as uPlot.AlignedData);
  }, [x, series]);

  return <div ref={container} className="chart" />;
}
