/**
 * The conversation of a session: model events' messages in start order, the history each turn
 * repeats left out (thread.ts). Grouped by event; a group's heading selects its event. Rendered a
 * page at a time ("Show more") so a long session stays quick.
 */
import { type JSX, useMemo, useState } from 'react';
import type { SessionNode } from '../api/types';
import { MessageView } from '../event/Messages';
import { buildThread, type ThreadItem } from './thread';

const PAGE = 100;

interface Group {
  eventId: string;
  eventName: string;
  items: ThreadItem[];
}

export function Thread({
  order,
  selectedId,
  onSelect,
}: {
  order: readonly SessionNode[];
  selectedId: string | undefined;
  onSelect(eventId: string): void;
}): JSX.Element {
  const items = useMemo(() => buildThread(order), [order]);
  const [limit, setLimit] = useState(PAGE);
  const groups = useMemo(() => {
    const out: Group[] = [];
    for (const item of items.slice(0, limit)) {
      const last = out[out.length - 1];
      if (last && last.eventId === item.eventId) last.items.push(item);
      else out.push({ eventId: item.eventId, eventName: item.eventName, items: [item] });
    }
    return out;
  }, [items, limit]);
  if (items.length === 0)
    return <p className="wg-muted wg-thread-empty">No model messages in this session.</p>;
  return (
    <div className="wg-thread">
      <ol className="wg-thread-list" aria-label="Conversation">
        {groups.map((group) => (
          <li
            // The first message's key is unique even when an event's group comes back after another's.
            key={group.items[0]?.key ?? group.eventId}
            className={`wg-thread-group${group.eventId === selectedId ? ' is-selected' : ''}`}
          >
            <button
              type="button"
              className="wg-thread-event"
              aria-pressed={group.eventId === selectedId}
              onClick={() => onSelect(group.eventId)}
            >
              <span className="wg-type-icon wg-type-model" aria-hidden="true">
                M
              </span>{' '}
              {group.eventName}
            </button>
            {group.items.map((item) => (
              <MessageView
                key={item.key}
                message={item.message}
                caption={item.from === 'output' ? 'output' : undefined}
              />
            ))}
          </li>
        ))}
      </ol>
      {items.length > limit ? (
        <button type="button" className="wg-button" onClick={() => setLimit(limit + PAGE)}>
          Show more ({items.length - limit} more messages)
        </button>
      ) : null}
    </div>
  );
}
