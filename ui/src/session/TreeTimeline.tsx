/**
 * The session's events as a virtualized tree (role tree "Events", a treeitem per event named by the
 * event name) with a waterfall beside it: each row carries a bar offset from the session start,
 * as wide as the event's duration, colored by type. Keyboard: Up/Down, Home/End, PageUp/PageDown
 * move; Right expands or goes to the first child; Left collapses or goes to the parent; Enter or
 * Space selects. Focus stays on the tree; the active row is its aria-activedescendant.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  type JSX,
  type KeyboardEvent,
  type MouseEvent,
  memo,
  type ReactNode,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { SessionNode } from '../api/types';
import { formatCost, formatDuration } from '../components/format';
import { axisTicks, formatOffset, formatTokens } from './format';
import type { TreeIndex, TreeRow } from './tree';

export const ROW_HEIGHT = 28;
const TYPE_ICONS: Record<string, string> = { session: 'S', chain: 'C', model: 'M', tool: 'T' };

export interface TreeTimelineProps {
  index: TreeIndex;
  rows: readonly TreeRow[];
  selectedId: string | undefined;
  onSelect(eventId: string): void;
  onToggle(eventId: string, expand: boolean): void;
  /** Height of the scrolling area before it is measured (jsdom never measures). */
  initialHeight?: number;
  /** Buttons placed first in the toolbar above the tree. */
  toolbar?: ReactNode;
  /** False while the rows are a filter's matches: Left/Right then only move. */
  toggleable?: boolean;
}

/** The timeline's window, in ms since the session start. */
interface Zoom {
  from: number;
  to: number;
}

function tokensOf(node: SessionNode): number | null {
  if (node.total_tokens != null) return node.total_tokens;
  if (node.prompt_tokens != null || node.completion_tokens != null) {
    return (node.prompt_tokens ?? 0) + (node.completion_tokens ?? 0);
  }
  return null;
}

export function TreeTimeline({
  index,
  rows,
  selectedId,
  onSelect,
  onToggle,
  initialHeight = 600,
  toolbar,
  toggleable = true,
}: TreeTimelineProps): JSX.Element {
  const [zoom, setZoom] = useState<Zoom | null>(null);
  const from = zoom?.from ?? 0;
  const to = zoom?.to ?? index.span;
  const width = Math.max(to - from, 1e-6);
  const selectedNode = selectedId === undefined ? undefined : index.byId.get(selectedId)?.node;
  const zoomTo = (node: SessionNode) => {
    const start = node.start_time - index.start;
    const length = Math.max(node.duration ?? 0, 1);
    setZoom({ from: Math.max(0, start - length * 0.05), to: start + length * 1.05 });
  };
  const baseId = useId();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [activeId, setActiveId] = useState<string>(selectedId ?? index.root.event_id);
  const rowOf = useMemo(() => {
    const map = new Map<string, number>();
    rows.forEach((row, i) => {
      map.set(row.node.event_id, i);
    });
    return map;
  }, [rows]);
  const ordinal = useMemo(() => {
    const map = new Map<string, number>();
    index.order.forEach((node, i) => {
      map.set(node.event_id, i);
    });
    return map;
  }, [index]);
  const domId = (eventId: string) => `${baseId}-e${ordinal.get(eventId) ?? 'x'}`;

  // The active row may have been hidden by a collapse: fall back to its nearest visible ancestor.
  let activeRow = rowOf.get(activeId);
  if (activeRow === undefined) {
    let parent = index.byId.get(activeId)?.parentId;
    while (parent !== undefined && !rowOf.has(parent)) parent = index.byId.get(parent)?.parentId;
    activeRow = parent === undefined ? 0 : (rowOf.get(parent) ?? 0);
  }
  const active = rows[activeRow];

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 1000, height: initialHeight },
    getItemKey: (i) => rows[i]?.node.event_id ?? i,
  });

  // A selection made elsewhere (the thread, the URL) becomes the active row and is scrolled to, once
  // it is on a row (the view first expands a collapsed branch that hides it).
  const selectedRow = selectedId === undefined ? undefined : rowOf.get(selectedId);
  const pendingScroll = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (selectedId === undefined) return;
    setActiveId(selectedId);
    pendingScroll.current = selectedId;
  }, [selectedId]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the virtualizer is the same object throughout
  useEffect(() => {
    if (selectedRow === undefined || pendingScroll.current !== selectedId) return;
    pendingScroll.current = undefined;
    virtualizer.scrollToIndex(selectedRow, { align: 'auto' });
  }, [selectedId, selectedRow]);

  const move = (to: number) => {
    const target = rows[Math.max(0, Math.min(rows.length - 1, to))];
    if (!target) return;
    setActiveId(target.node.event_id);
    virtualizer.scrollToIndex(rowOf.get(target.node.event_id) ?? 0, { align: 'auto' });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!active) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight || initialHeight) / ROW_HEIGHT) - 1);
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        move(activeRow + 1);
        break;
      case 'ArrowUp':
        move(activeRow - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(rows.length - 1);
        break;
      case 'PageDown':
        move(activeRow + page);
        break;
      case 'PageUp':
        move(activeRow - page);
        break;
      case 'ArrowRight':
        if (toggleable && active.hasChildren && !active.expanded) onToggle(active.node.event_id, true);
        else if (active.expanded) move(activeRow + 1);
        break;
      case 'ArrowLeft':
        if (toggleable && active.expanded) onToggle(active.node.event_id, false);
        else if (active.parentId !== undefined) move(rowOf.get(active.parentId) ?? activeRow);
        break;
      case 'Enter':
      case ' ':
        setActiveId(active.node.event_id);
        onSelect(active.node.event_id);
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  };

  // Row clicks are handled here, once, so rows need no handlers of their own (and stay memoized).
  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    const rowElement = target.closest<HTMLElement>('[data-event-id]');
    const eventId = rowElement?.dataset.eventId;
    if (eventId === undefined) return;
    const row = rows[rowOf.get(eventId) ?? -1];
    setActiveId(eventId);
    if (toggleable && row?.hasChildren && target.closest('.wg-tt-toggle')) onToggle(eventId, !row.expanded);
    else onSelect(eventId);
    scrollRef.current?.focus({ preventScroll: true });
  };

  const ticks = useMemo(() => axisTicks(from, to), [from, to]);
  const at = (offset: number) => `${((offset - from) / width) * 100}%`;
  const items = virtualizer.getVirtualItems();

  return (
    <div className="wg-tt-wrap">
      <div className="wg-toolbar">
        {toolbar}
        <button
          type="button"
          className="wg-button"
          disabled={!selectedNode}
          onClick={() => selectedNode && zoomTo(selectedNode)}
        >
          Zoom timeline to selected
        </button>
        <button type="button" className="wg-button" disabled={!zoom} onClick={() => setZoom(null)}>
          Reset zoom
        </button>
        {zoom ? (
          <span className="wg-muted wg-zoom-note">
            Showing {formatOffset(from)} to {formatOffset(to)}
          </span>
        ) : null}
      </div>
      <div className="wg-tt">
        <div className="wg-tt-head" aria-hidden="true">
          <div className="wg-tt-head-name">Event</div>
          <div className="wg-tt-axis">
            {ticks.map((tick) => (
              <span key={tick} className="wg-tt-tick" style={{ left: at(tick) }}>
                {formatOffset(tick)}
              </span>
            ))}
          </div>
        </div>
        <div
          ref={scrollRef}
          className="wg-tt-scroll"
          role="tree"
          aria-label="Events"
          tabIndex={0}
          aria-activedescendant={active ? domId(active.node.event_id) : undefined}
          onKeyDown={onKeyDown}
          onClick={onClick}
        >
          <div className="wg-tt-inner" style={{ height: virtualizer.getTotalSize() }}>
            <div className="wg-tt-grid" aria-hidden="true">
              <div />
              <div className="wg-tt-grid-lines">
                {ticks.map((tick) => (
                  <span key={tick} style={{ left: at(tick) }} />
                ))}
              </div>
            </div>
            {items.map((item) => {
              const row = rows[item.index];
              if (!row) return null;
              const eventId = row.node.event_id;
              return (
                <RowView
                  key={item.key}
                  row={row}
                  id={domId(eventId)}
                  y={item.start}
                  selected={eventId === selectedId}
                  active={active !== undefined && eventId === active.node.event_id}
                  sessionStart={index.start}
                  from={from}
                  width={width}
                />
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}

interface RowViewProps {
  row: TreeRow;
  id: string;
  /** Offset from the top of the list (px). */
  y: number;
  selected: boolean;
  active: boolean;
  sessionStart: number;
  /** The timeline window: its start (ms since the session start) and length (ms). */
  from: number;
  width: number;
}

/** One row: the tree cell and its lane in the waterfall. Memoized: scrolling renders only new rows. */
const RowView = memo(function RowView({
  row,
  id,
  y,
  selected,
  active,
  sessionStart,
  from,
  width,
}: RowViewProps): JSX.Element {
  const { node } = row;
  const tokens = tokensOf(node);
  const offset = node.start_time - sessionStart;
  return (
    <div
      id={id}
      tabIndex={-1}
      role="treeitem"
      aria-label={node.event_name || '(unnamed event)'}
      aria-describedby={`${id}-meta`}
      aria-level={row.depth + 1}
      aria-posinset={row.position}
      aria-setsize={row.siblings}
      aria-expanded={row.hasChildren ? row.expanded : undefined}
      aria-selected={selected}
      data-event-id={node.event_id}
      className={`wg-tt-row${selected ? ' is-selected' : ''}${active ? ' is-active' : ''}${
        node.error ? ' has-error' : ''
      }`}
      style={{ transform: `translateY(${y}px)`, height: ROW_HEIGHT }}
    >
      <div className="wg-tt-name" style={{ paddingLeft: `${Math.min(row.depth, 30) * 14 + 4}px` }}>
        <span className={`wg-tt-toggle${row.hasChildren ? '' : ' is-leaf'}`} aria-hidden="true">
          {row.hasChildren ? (row.expanded ? '▾' : '▸') : ''}
        </span>
        <span
          className={`wg-type-icon wg-type-${node.event_type}`}
          aria-hidden="true"
          title={node.event_type}
        >
          {TYPE_ICONS[node.event_type] ?? '?'}
        </span>
        <span className="wg-tt-label" title={node.event_name}>
          {node.event_name || '(unnamed event)'}
        </span>
        <span id={`${id}-meta`} className="wg-tt-meta">
          <span className="sr-only">{node.event_type}, </span>
          {node.error ? (
            <span className="wg-tt-error" title={node.error}>
              <span aria-hidden="true">⚠</span>
              <span className="sr-only">error, </span>
            </span>
          ) : null}
          <span>{formatDuration(node.duration)}</span>
          {tokens !== null ? <span>{formatTokens(tokens)}</span> : null}
          {node.cost ? <span>{formatCost(node.cost)}</span> : null}
        </span>
      </div>
      <div className="wg-tt-lane" aria-hidden="true">
        <span
          className={`wg-tt-bar wg-type-${node.event_type}`}
          style={{
            left: `${((offset - from) / width) * 100}%`,
            width: `${((node.duration ?? 0) / width) * 100}%`,
          }}
          title={`${node.event_name}: +${formatOffset(offset)}, ${formatDuration(node.duration)}`}
        />
      </div>
    </div>
  );
});
