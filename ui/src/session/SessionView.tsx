/**
 * The session view: a summary of the session (its own `h1`: the page need not add one), then two
 * tabs, "Tree & timeline" (the events as a virtualized tree with a waterfall beside it) and
 * "Thread" (the conversation), and beside them the selected event's detail (the session itself
 * until an event is selected, or when the selected id is not in the session).
 *
 * Accessible names (stable for end-to-end tests):
 * - tree: role "tree", name "Events"; each event a row with role "treeitem" whose name is exactly
 *   the event's name (`event_name`; "(unnamed event)" when empty); its type, error, duration,
 *   tokens and cost are its description. aria-selected="true" marks the selected event,
 *   aria-expanded a parent's state; rows also carry `data-event-id`. Only rows near the scroll
 *   position are in the DOM (virtualized, 28 px rows): scroll the tree or use the keyboard to
 *   reach others. Clicking a treeitem selects it; clicking its ▸/▾ toggle expands/collapses. The
 *   tree itself is focusable (Up/Down/Home/End/PageUp/PageDown move the active row,
 *   aria-activedescendant; Right/Left expand/collapse or go to child/parent; Enter/Space select).
 * - above the tree: a searchbox "Filter events" (name, type, model, provider or error text; shows
 *   the matches with their ancestors, expanded, and a status "N matches"), a checkbox "Errors only",
 *   buttons "Expand all", "Collapse all" (disabled while filtering), "Zoom timeline to selected",
 *   "Reset zoom".
 * - tabs: role "tablist" named "Session views", tabs "Tree & timeline" and "Thread"; the thread is
 *   a list named "Conversation" of messages (role "article" named "<role> message", e.g.
 *   "assistant message"), each event's group led by a button named by the event's name that
 *   selects it.
 * - detail: role "region" named "Event detail" (ui/src/event/EventDetail.tsx): heading level 2 is
 *   the event name; headings (level 3) "Inputs" and "Outputs", the model's output text inside the
 *   "Outputs" section; "Error" heading when the event failed; "Config", "Metadata", "Metrics",
 *   "Feedback", "User properties" when not empty; buttons "Copy Event ID", "Copy Session ID",
 *   "Copy Trace ID", "Show raw JSON" (and a link "Open raw JSON" when `rawJsonHref` is given).
 * - the root element has `data-testid="session-view"`.
 */
import '../sr-only.css';
import './session.css';
import {
  type JSX,
  type KeyboardEvent,
  useCallback,
  useDeferredValue,
  useEffect,
  useId,
  useMemo,
  useState,
} from 'react';
import type { SessionNode } from '../api/types';
import { formatCost, formatCount, formatDuration, formatTime } from '../components/format';
import { EventDetail } from '../event/EventDetail';
import { Thread } from './Thread';
import { TreeTimeline } from './TreeTimeline';
import { ancestorsOf, buildIndex, filterTree, parentIds, visibleRows } from './tree';

export interface SessionViewProps {
  session: SessionNode;
  /** Controlled selection: with onSelectEvent, the view shows this event; else it keeps its own. */
  selectedEventId?: string;
  onSelectEvent?: (eventId: string) => void;
  /** Where an event's raw JSON can be opened (a link in the detail panel). */
  rawJsonHref?: (eventId: string) => string | undefined;
}

type Tab = 'tree' | 'thread';
const TABS: { id: Tab; label: string }[] = [
  { id: 'tree', label: 'Tree & timeline' },
  { id: 'thread', label: 'Thread' },
];

export function SessionView({
  session,
  selectedEventId,
  onSelectEvent,
  rawJsonHref,
}: SessionViewProps): JSX.Element {
  const baseId = useId();
  const index = useMemo(() => buildIndex(session), [session]);
  const [own, setOwn] = useState<string | undefined>(selectedEventId);
  const selectedId = onSelectEvent ? selectedEventId : own;
  const select = useCallback(
    (id: string) => {
      if (onSelectEvent) onSelectEvent(id);
      else setOwn(id);
    },
    [onSelectEvent],
  );
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [tab, setTab] = useState<Tab>('tree');

  // A selected event inside a collapsed branch is revealed.
  useEffect(() => {
    if (selectedId === undefined || !index.byId.has(selectedId)) return;
    const ancestors = ancestorsOf(index, selectedId);
    setCollapsed((current) => {
      if (!ancestors.some((id) => current.has(id))) return current;
      const next = new Set(current);
      for (const id of ancestors) next.delete(id);
      return next;
    });
  }, [index, selectedId]);

  const [filterText, setFilterText] = useState('');
  const [errorsOnly, setErrorsOnly] = useState(false);
  const deferredText = useDeferredValue(filterText);
  const filtered = useMemo(
    () => filterTree(index, { text: deferredText, errorsOnly }),
    [index, deferredText, errorsOnly],
  );
  const rows = useMemo(() => visibleRows(index, collapsed, filtered?.keep), [index, collapsed, filtered]);
  // While a filter shows matches (all expanded), expanding and collapsing are off.
  const filtering = filtered !== undefined;
  const toggle = useCallback(
    (id: string, expand: boolean) => {
      if (filtering) return;
      setCollapsed((current) => {
        const next = new Set(current);
        if (expand) next.delete(id);
        else next.add(id);
        return next;
      });
    },
    [filtering],
  );

  const stats = useMemo(() => {
    let errors = 0;
    let cost = 0;
    let tokens = 0;
    for (const node of index.order) {
      if (node.error) errors++;
      if (node !== index.root) {
        cost += node.cost ?? 0;
        tokens += node.total_tokens ?? 0;
      }
    }
    const meta = index.root.metadata ?? {};
    return {
      events: index.order.length - 1,
      errors,
      cost: typeof meta.cost === 'number' ? meta.cost : (index.root.cost ?? cost),
      tokens: typeof meta.total_tokens === 'number' ? meta.total_tokens : (index.root.total_tokens ?? tokens),
    };
  }, [index]);

  const detailEvent = (selectedId !== undefined ? index.byId.get(selectedId)?.node : undefined) ?? index.root;

  const onTabKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const at = TABS.findIndex((t) => t.id === tab);
    let next = at;
    if (event.key === 'ArrowRight') next = (at + 1) % TABS.length;
    else if (event.key === 'ArrowLeft') next = (at - 1 + TABS.length) % TABS.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = TABS.length - 1;
    else return;
    event.preventDefault();
    const target = TABS[next] as (typeof TABS)[number];
    setTab(target.id);
    document.getElementById(`${baseId}-tab-${target.id}`)?.focus();
  };

  return (
    <div className="wg-session" data-testid="session-view">
      <header className="wg-session-head">
        <h1 className="wg-session-title">{session.event_name || session.session_id}</h1>
        <p className="wg-session-facts">
          <span>{formatTime(index.start)}</span>
          <span>{formatDuration(index.span === 1 && session.duration === 0 ? 0 : index.span)}</span>
          <span>
            {formatCount(stats.events)} event{stats.events === 1 ? '' : 's'}
          </span>
          {stats.tokens ? <span>{formatCount(stats.tokens)} tokens</span> : null}
          {stats.cost ? <span>{formatCost(stats.cost)}</span> : null}
          {stats.errors > 0 ? (
            <span className="wg-danger">
              {stats.errors} error{stats.errors === 1 ? '' : 's'}
            </span>
          ) : null}
        </p>
      </header>
      <div className="wg-session-body">
        <div className="wg-session-main">
          <div className="wg-tabs" role="tablist" aria-label="Session views" onKeyDown={onTabKey}>
            {TABS.map((t) => (
              <button
                key={t.id}
                id={`${baseId}-tab-${t.id}`}
                type="button"
                role="tab"
                aria-selected={tab === t.id}
                aria-controls={`${baseId}-panel`}
                tabIndex={tab === t.id ? 0 : -1}
                onClick={() => setTab(t.id)}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div
            id={`${baseId}-panel`}
            role="tabpanel"
            aria-labelledby={`${baseId}-tab-${tab}`}
            className="wg-session-panel"
          >
            {tab === 'tree' ? (
              <TreeTimeline
                index={index}
                rows={rows}
                selectedId={selectedId}
                onSelect={select}
                onToggle={toggle}
                toggleable={!filtering}
                toolbar={
                  <>
                    <input
                      type="search"
                      className="wg-filter"
                      aria-label="Filter events"
                      placeholder="Filter events"
                      value={filterText}
                      onChange={(event) => setFilterText(event.target.value)}
                    />
                    <label className="wg-check">
                      <input
                        type="checkbox"
                        checked={errorsOnly}
                        onChange={(event) => setErrorsOnly(event.target.checked)}
                      />{' '}
                      Errors only
                    </label>
                    {filtered ? (
                      <span className="wg-muted wg-filter-count" role="status">
                        {formatCount(filtered.matches)} match{filtered.matches === 1 ? '' : 'es'}
                      </span>
                    ) : null}
                    <button
                      type="button"
                      className="wg-button"
                      disabled={filtering}
                      onClick={() => setCollapsed(new Set())}
                    >
                      Expand all
                    </button>
                    <button
                      type="button"
                      className="wg-button"
                      disabled={filtering}
                      onClick={() =>
                        setCollapsed(new Set(parentIds(index).filter((id) => id !== index.root.event_id)))
                      }
                    >
                      Collapse all
                    </button>
                  </>
                }
              />
            ) : (
              <Thread order={index.order} selectedId={selectedId} onSelect={select} />
            )}
          </div>
        </div>
        <aside className="wg-session-detail">
          <EventDetail
            key={detailEvent.event_id}
            event={detailEvent}
            rawJsonHref={rawJsonHref?.(detailEvent.event_id)}
          />
        </aside>
      </div>
    </div>
  );
}
