/** The session tree as the view walks it: an index of every node and the visible (expanded) rows. */
import type { SessionNode } from '../api/types';

export interface TreeEntry {
  node: SessionNode;
  /** 0 for the session itself. */
  depth: number;
  parentId: string | undefined;
  /** Children in start-time order (the API's order is kept for equal starts). */
  children: SessionNode[];
}

export interface TreeIndex {
  root: SessionNode;
  byId: Map<string, TreeEntry>;
  /** Every node in depth-first (display) order. */
  order: SessionNode[];
  /** Session start (ms) and the span over all events (ms, at least 1). */
  start: number;
  span: number;
}

export interface TreeRow {
  node: SessionNode;
  depth: number;
  hasChildren: boolean;
  expanded: boolean;
  parentId: string | undefined;
  /** 1-based position among its siblings and their count (aria-posinset / aria-setsize). */
  position: number;
  siblings: number;
}

function byStart(a: SessionNode, b: SessionNode): number {
  return (a.start_time ?? 0) - (b.start_time ?? 0);
}

/** Indexes the tree without recursion (a deep session must not overflow the stack). */
export function buildIndex(root: SessionNode): TreeIndex {
  const byId = new Map<string, TreeEntry>();
  const order: SessionNode[] = [];
  let start = Number.isFinite(root.start_time) ? root.start_time : Number.POSITIVE_INFINITY;
  let end = Number.isFinite(root.end_time) ? root.end_time : Number.NEGATIVE_INFINITY;
  const stack: { node: SessionNode; depth: number; parentId: string | undefined }[] = [
    { node: root, depth: 0, parentId: undefined },
  ];
  while (stack.length > 0) {
    const item = stack.pop() as (typeof stack)[number];
    const { node, depth, parentId } = item;
    if (byId.has(node.event_id)) continue; // a repeated id would loop; show it once
    const children = [...(node.children ?? [])].sort(byStart);
    byId.set(node.event_id, { node, depth, parentId, children });
    order.push(node);
    if (Number.isFinite(node.start_time)) start = Math.min(start, node.start_time);
    const nodeEnd = Number.isFinite(node.end_time) ? node.end_time : node.start_time + (node.duration ?? 0);
    if (Number.isFinite(nodeEnd)) end = Math.max(end, nodeEnd);
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push({ node: children[i] as SessionNode, depth: depth + 1, parentId: node.event_id });
    }
  }
  if (!Number.isFinite(start)) start = 0;
  if (!Number.isFinite(end) || end < start) end = start;
  return { root, byId, order, start, span: Math.max(end - start, 1) };
}

/**
 * The rows on screen: every node whose ancestors are all expanded, in display order. With `keep`
 * (a filter's matches and their ancestors) only those nodes, all expanded.
 */
export function visibleRows(
  index: TreeIndex,
  collapsed: ReadonlySet<string>,
  keep?: ReadonlySet<string>,
): TreeRow[] {
  const rows: TreeRow[] = [];
  const stack: { node: SessionNode; position: number; siblings: number }[] = [
    { node: index.root, position: 1, siblings: 1 },
  ];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const { node, position, siblings } = stack.pop() as (typeof stack)[number];
    const entry = index.byId.get(node.event_id);
    if (!entry || seen.has(node.event_id)) continue;
    seen.add(node.event_id);
    const children = keep ? entry.children.filter((child) => keep.has(child.event_id)) : entry.children;
    const hasChildren = children.length > 0;
    const expanded = hasChildren && (keep !== undefined || !collapsed.has(node.event_id));
    rows.push({
      node,
      depth: entry.depth,
      hasChildren,
      expanded,
      parentId: entry.parentId,
      position,
      siblings,
    });
    if (expanded) {
      const n = children.length;
      for (let i = n - 1; i >= 0; i--) {
        stack.push({ node: children[i] as SessionNode, position: i + 1, siblings: n });
      }
    }
  }
  return rows;
}

/** The ids of `id`'s ancestors, nearest first. */
export function ancestorsOf(index: TreeIndex, id: string): string[] {
  const out: string[] = [];
  let parent = index.byId.get(id)?.parentId;
  while (parent !== undefined && out.length <= index.byId.size) {
    out.push(parent);
    parent = index.byId.get(parent)?.parentId;
  }
  return out;
}

/** Ids of every node that has children (for "collapse all"). */
export function parentIds(index: TreeIndex): string[] {
  const out: string[] = [];
  for (const [id, entry] of index.byId) if (entry.children.length > 0) out.push(id);
  return out;
}

export interface TreeFilter {
  /** Case-insensitive text looked for in the name, type, model, provider and error. */
  text?: string;
  errorsOnly?: boolean;
}

/**
 * The nodes a filter keeps: those matching it and their ancestors (so matches stay in context), or
 * `undefined` when the filter is empty. `matches` counts the matching nodes.
 */
export function filterTree(
  index: TreeIndex,
  filter: TreeFilter,
): { keep: Set<string>; matches: number } | undefined {
  const text = filter.text?.trim().toLowerCase() ?? '';
  if (text === '' && !filter.errorsOnly) return undefined;
  const keep = new Set<string>();
  let matches = 0;
  for (const node of index.order) {
    if (filter.errorsOnly && !node.error) continue;
    if (text !== '') {
      const haystack =
        `${node.event_name ?? ''}\n${node.event_type}\n${node.model ?? ''}\n${node.provider ?? ''}\n${
          node.error ?? ''
        }`.toLowerCase();
      if (!haystack.includes(text)) continue;
    }
    matches++;
    let id: string | undefined = node.event_id;
    while (id !== undefined && !keep.has(id)) {
      keep.add(id);
      id = index.byId.get(id)?.parentId;
    }
  }
  // The session row always stays, even with no match, as the tree's root.
  keep.add(index.root.event_id);
  return { keep, matches };
}
