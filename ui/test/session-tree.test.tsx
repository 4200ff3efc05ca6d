import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionNode } from '../src/api/types';
import { countEvents, makeEvent, makeLargeSession } from '../src/session/fixtures';
import { axisTicks, formatOffset } from '../src/session/format';
import { SessionView } from '../src/session/SessionView';
import { ancestorsOf, buildIndex, filterTree, visibleRows } from '../src/session/tree';

const T0 = Date.UTC(2026, 0, 1);

// jsdom has no layout: the tree's scroll area reports 600 px, is as tall as its content, and
// scrolls (scrollTo sets scrollTop and fires scroll), so the virtualizer renders and moves a window.
const isTree = (element: HTMLElement) => element.classList.contains('wg-tt-scroll');
const offsets = new WeakMap<HTMLElement, number>();
const stubbed = ['clientHeight', 'scrollHeight', 'scrollTop'] as const;
const originals = stubbed.map((name) => Object.getOwnPropertyDescriptor(HTMLElement.prototype, name));
const originalScrollTo = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'scrollTo');
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return isTree(this) ? 600 : 0;
    },
  });
  Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return isTree(this)
        ? Number.parseFloat((this.firstElementChild as HTMLElement | null)?.style.height ?? '0')
        : 0;
    },
  });
  Object.defineProperty(HTMLElement.prototype, 'scrollTop', {
    configurable: true,
    get(this: HTMLElement) {
      return offsets.get(this) ?? 0;
    },
    set(this: HTMLElement, value: number) {
      offsets.set(this, value);
    },
  });
  Object.defineProperty(HTMLElement.prototype, 'scrollTo', {
    configurable: true,
    value(this: HTMLElement, options: ScrollToOptions) {
      this.scrollTop = options.top ?? this.scrollTop;
      this.dispatchEvent(new Event('scroll'));
    },
  });
});
afterAll(() => {
  stubbed.forEach((name, i) => {
    const descriptor = originals[i];
    if (descriptor) Object.defineProperty(HTMLElement.prototype, name, descriptor);
    else delete (HTMLElement.prototype as unknown as Record<string, unknown>)[name];
  });
  if (originalScrollTo) Object.defineProperty(HTMLElement.prototype, 'scrollTo', originalScrollTo);
  else delete (HTMLElement.prototype as unknown as Record<string, unknown>).scrollTo;
});

/** session → agent (chain) → [llm (model), search (tool) → fetch (tool)], and a late `report` chain. */
function smallSession(): SessionNode {
  return makeEvent({
    event_id: 's',
    event_type: 'session',
    event_name: 'my-session',
    start_time: T0,
    duration: 5000,
    children: [
      makeEvent({
        event_id: 'report',
        event_name: 'report',
        start_time: T0 + 4000,
        duration: 1000,
      }),
      makeEvent({
        event_id: 'agent',
        event_name: 'agent',
        start_time: T0,
        duration: 3000,
        children: [
          makeEvent({
            event_id: 'search',
            event_type: 'tool',
            event_name: 'search',
            start_time: T0 + 1500,
            duration: 500,
            error: 'search failed: timeout',
            children: [
              makeEvent({
                event_id: 'fetch',
                event_type: 'tool',
                event_name: 'fetch',
                start_time: T0 + 1600,
              }),
            ],
          }),
          makeEvent({
            event_id: 'llm',
            event_type: 'model',
            event_name: 'llm',
            start_time: T0 + 100,
            duration: 1200,
            prompt_tokens: 100,
            completion_tokens: 20,
            total_tokens: 120,
            cost: 0.0021,
            inputs: { chat_history: [{ role: 'user', content: 'Hello there' }] },
            outputs: { role: 'assistant', content: 'General Kenobi' },
          }),
        ],
      }),
    ],
  });
}

function rowNames(): string[] {
  return screen.getAllByRole('treeitem').map((row) => row.getAttribute('aria-label') ?? '');
}

describe('session tree model', () => {
  it('indexes nodes depth first with children in start order, and the session span', () => {
    const index = buildIndex(smallSession());
    expect(index.order.map((n) => n.event_id)).toEqual(['s', 'agent', 'llm', 'search', 'fetch', 'report']);
    expect(index.byId.get('fetch')?.depth).toBe(3);
    expect(index.start).toBe(T0);
    expect(index.span).toBe(5000);
    expect(ancestorsOf(index, 'fetch')).toEqual(['search', 'agent', 's']);
  });

  it('hides the descendants of collapsed nodes and gives sibling positions', () => {
    const index = buildIndex(smallSession());
    const rows = visibleRows(index, new Set(['agent']));
    expect(rows.map((r) => r.node.event_id)).toEqual(['s', 'agent', 'report']);
    expect(rows[1]).toMatchObject({ hasChildren: true, expanded: false, depth: 1, position: 1, siblings: 2 });
    expect(rows[2]).toMatchObject({ position: 2, siblings: 2, hasChildren: false });
  });

  it('filters to matches and their ancestors, all expanded', () => {
    const index = buildIndex(smallSession());
    expect(filterTree(index, { text: '  ' })).toBeUndefined();
    const byName = filterTree(index, { text: 'FETCH' });
    expect(byName?.matches).toBe(1);
    const rows = visibleRows(index, new Set(['agent', 'search']), byName?.keep);
    expect(rows.map((r) => r.node.event_id)).toEqual(['s', 'agent', 'search', 'fetch']);
    expect(rows[1]).toMatchObject({ expanded: true, position: 1, siblings: 1 });
    const errors = filterTree(index, { errorsOnly: true });
    expect(errors?.matches).toBe(1);
    expect(visibleRows(index, new Set(), errors?.keep).map((r) => r.node.event_id)).toEqual([
      's',
      'agent',
      'search',
    ]);
    // Model names and error text match too; a filter with no match keeps the session row.
    expect(filterTree(index, { text: 'timeout' })?.matches).toBe(1);
    expect(visibleRows(index, new Set(), filterTree(index, { text: 'nothing' })?.keep)).toHaveLength(1);
  });

  it('builds a deep tree of 5,000 events without recursion limits', () => {
    const session = makeLargeSession(5000);
    expect(countEvents(session)).toBe(5000);
    const index = buildIndex(session);
    expect(index.order).toHaveLength(5000);
    const depths = [...index.byId.values()].map((e) => e.depth);
    expect(Math.max(...depths)).toBeGreaterThanOrEqual(4);
    const types = new Set(index.order.map((n) => n.event_type));
    expect([...types].sort()).toEqual(['chain', 'model', 'session', 'tool']);
    // Children lie within their parent's time.
    for (const entry of index.byId.values()) {
      for (const child of entry.children) {
        expect(child.start_time).toBeGreaterThanOrEqual(entry.node.start_time);
        expect(child.end_time).toBeLessThanOrEqual(entry.node.end_time);
      }
    }
  });
});

describe('time axis', () => {
  it('picks readable steps and formats offsets', () => {
    expect(axisTicks(0, 5000)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(axisTicks(0, 42 * 60_000)).toEqual([0, 10, 20, 30, 40].map((m) => m * 60_000));
    expect(axisTicks(1500, 2000)).toEqual([1500, 1600, 1700, 1800, 1900, 2000]);
    expect(formatOffset(0)).toBe('0');
    expect(formatOffset(250)).toBe('250 ms');
    expect(formatOffset(1500)).toBe('1.5 s');
    expect(formatOffset(150_000)).toBe('2 min 30 s');
    expect(formatOffset(4_500_000)).toBe('1 h 15 min');
  });
});

describe('SessionView tree and timeline', () => {
  it('renders the tree with accessible names, meta and a timeline bar per row', () => {
    render(<SessionView session={smallSession()} />);
    const tree = screen.getByRole('tree', { name: 'Events' });
    expect(rowNames()).toEqual(['my-session', 'agent', 'llm', 'search', 'fetch', 'report']);
    const llm = within(tree).getByRole('treeitem', { name: 'llm' });
    expect(llm).toHaveProperty('ariaLevel', '3');
    expect(llm.textContent).toContain('1.20 s');
    expect(llm.textContent).toContain('120 tok');
    expect(llm.textContent).toContain('$0.0021');
    const search = within(tree).getByRole('treeitem', { name: 'search' });
    expect(search.getAttribute('aria-expanded')).toBe('true');
    expect(search.className).toContain('has-error');
    expect(document.getElementById(search.getAttribute('aria-describedby') ?? '')?.textContent).toContain(
      'error',
    );
    const bar = search.querySelector('.wg-tt-bar') as HTMLElement;
    expect(bar.style.left).toBe('30%');
    expect(bar.style.width).toBe('10%');
  });

  it('virtualizes a 5,000-event session: only a window of rows is in the DOM', () => {
    const session = makeLargeSession(5000);
    const started = performance.now();
    render(<SessionView session={session} />);
    const elapsed = performance.now() - started;
    const rows = screen.getAllByRole('treeitem');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(80);
    expect(rows[0]?.getAttribute('aria-label')).toBe('support-agent');
    // The scroll area is as tall as all rows.
    const inner = document.querySelector('.wg-tt-inner') as HTMLElement;
    expect(inner.style.height).toBe(`${5000 * 28}px`);
    // jsdom is far slower than a browser; this only guards against something quadratic.
    expect(elapsed).toBeLessThan(5000);
  });

  it('zooms the timeline to the selected event and back', () => {
    render(<SessionView session={smallSession()} />);
    const zoom = screen.getByRole('button', { name: 'Zoom timeline to selected' }) as HTMLButtonElement;
    expect(zoom.disabled).toBe(true);
    fireEvent.click(screen.getByRole('treeitem', { name: 'search' }));
    fireEvent.click(zoom);
    // search spans 1500..2000 ms; the window adds 5% on each side.
    expect(screen.getByText(/^Showing 1\.4\d s to 2\.0\d s$/)).toBeTruthy();
    const bar = (name: string) =>
      screen.getByRole('treeitem', { name }).querySelector('.wg-tt-bar') as HTMLElement;
    expect(Number.parseFloat(bar('search').style.left)).toBeCloseTo((25 / 550) * 100, 3);
    expect(Number.parseFloat(bar('search').style.width)).toBeCloseTo((500 / 550) * 100, 3);
    fireEvent.click(screen.getByRole('button', { name: 'Reset zoom' }));
    expect(bar('search').style.left).toBe('30%');
  });

  it('scrolls a selected event deep in a 5,000-event session into view', async () => {
    render(
      <SessionView session={makeLargeSession(5000)} selectedEventId="evt-004000" onSelectEvent={() => {}} />,
    );
    const row = await screen.findByRole('treeitem', { selected: true });
    expect(row.dataset.eventId).toBe('evt-004000');
    expect(screen.getAllByRole('treeitem').length).toBeLessThan(80);
    expect(screen.queryByRole('treeitem', { name: 'support-agent' })).toBeNull();
  });

  it('reaches the last of 5,000 rows with End and the first with Home', async () => {
    render(<SessionView session={makeLargeSession(5000)} />);
    const tree = screen.getByRole('tree', { name: 'Events' });
    const active = () => document.getElementById(tree.getAttribute('aria-activedescendant') ?? '');
    fireEvent.keyDown(tree, { key: 'End' });
    await waitFor(() => expect(active()?.dataset.eventId).toBe('evt-005000'));
    fireEvent.keyDown(tree, { key: 'PageUp' });
    await waitFor(() => expect(active()?.getAttribute('aria-posinset')).not.toBeNull());
    expect(Number(active()?.dataset.eventId?.slice(4))).toBeLessThan(5000);
    fireEvent.keyDown(tree, { key: 'Home' });
    await waitFor(() => expect(active()?.getAttribute('aria-label')).toBe('support-agent'));
  });

  it('collapses and expands with the row toggles and the toolbar', () => {
    render(<SessionView session={smallSession()} />);
    const agent = screen.getByRole('treeitem', { name: 'agent' });
    fireEvent.click(agent.querySelector('.wg-tt-toggle') as HTMLElement);
    expect(rowNames()).toEqual(['my-session', 'agent', 'report']);
    expect(screen.getByRole('treeitem', { name: 'agent' }).getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(
      screen.getByRole('treeitem', { name: 'agent' }).querySelector('.wg-tt-toggle') as HTMLElement,
    );
    expect(rowNames()).toHaveLength(6);
    fireEvent.click(screen.getByRole('button', { name: 'Collapse all' }));
    expect(rowNames()).toEqual(['my-session', 'agent', 'report']);
    fireEvent.click(screen.getByRole('button', { name: 'Expand all' }));
    expect(rowNames()).toHaveLength(6);
  });

  it('filters the tree by text and by errors', async () => {
    render(<SessionView session={makeLargeSession(2000)} />);
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter events' }), {
      target: { value: 'fetch_document' },
    });
    const status = await screen.findByText(/^\d+ match(es)?$/);
    const names = rowNames();
    expect(new Set(names)).toEqual(
      new Set([
        'support-agent',
        'agent_turn',
        'retrieve_context',
        'vector_search',
        'rerank',
        'fetch_document',
      ]),
    );
    expect((screen.getByRole('button', { name: 'Collapse all' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter events' }), { target: { value: '' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Errors only' }));
    expect(status.textContent).toMatch(/^\d+ match(es)?$/);
    const errorRows = screen.getAllByRole('treeitem').filter((row) => row.className.includes('has-error'));
    expect(errorRows.length).toBeGreaterThan(0);
    // Every other row is an expanded ancestor of an error.
    for (const row of screen.getAllByRole('treeitem')) {
      if (!row.className.includes('has-error')) expect(row.getAttribute('aria-expanded')).toBe('true');
    }
  });

  it('navigates with the keyboard: arrows move, Left/Right collapse/expand, Enter selects', () => {
    render(<SessionView session={smallSession()} />);
    const tree = screen.getByRole('tree', { name: 'Events' });
    const active = () => document.getElementById(tree.getAttribute('aria-activedescendant') ?? '');
    expect(active()?.getAttribute('aria-label')).toBe('my-session');
    fireEvent.keyDown(tree, { key: 'ArrowDown' });
    expect(active()?.getAttribute('aria-label')).toBe('agent');
    fireEvent.keyDown(tree, { key: 'ArrowLeft' }); // collapse agent
    expect(rowNames()).toEqual(['my-session', 'agent', 'report']);
    fireEvent.keyDown(tree, { key: 'ArrowLeft' }); // to the parent
    expect(active()?.getAttribute('aria-label')).toBe('my-session');
    fireEvent.keyDown(tree, { key: 'ArrowDown' });
    fireEvent.keyDown(tree, { key: 'ArrowRight' }); // expand agent
    expect(rowNames()).toHaveLength(6);
    fireEvent.keyDown(tree, { key: 'ArrowRight' }); // first child
    expect(active()?.getAttribute('aria-label')).toBe('llm');
    fireEvent.keyDown(tree, { key: 'End' });
    expect(active()?.getAttribute('aria-label')).toBe('report');
    fireEvent.keyDown(tree, { key: 'Home' });
    fireEvent.keyDown(tree, { key: 'ArrowDown' });
    fireEvent.keyDown(tree, { key: 'ArrowDown' });
    fireEvent.keyDown(tree, { key: 'Enter' });
    expect(screen.getByRole('treeitem', { name: 'llm' }).getAttribute('aria-selected')).toBe('true');
    const detail = screen.getByRole('region', { name: 'Event detail' });
    expect(within(detail).getByRole('heading', { level: 2 }).textContent).toBe('llm');
    expect(within(detail).getByText('General Kenobi')).toBeTruthy();
  });

  it('moves the active row to the parent when its branch is collapsed', () => {
    render(<SessionView session={smallSession()} />);
    const tree = screen.getByRole('tree', { name: 'Events' });
    fireEvent.click(screen.getByRole('treeitem', { name: 'fetch' }));
    fireEvent.click(screen.getByRole('button', { name: 'Collapse all' }));
    // Collapsing is the user's choice: the selected event stays hidden and the active row moves up.
    const active = document.getElementById(tree.getAttribute('aria-activedescendant') ?? '');
    expect(active?.getAttribute('aria-label')).toBe('agent');
    fireEvent.keyDown(tree, { key: 'ArrowDown' });
    expect(
      document.getElementById(tree.getAttribute('aria-activedescendant') ?? '')?.getAttribute('aria-label'),
    ).toBe('report');
  });

  it('shows the session in the detail until an event is selected; a click selects', () => {
    render(<SessionView session={smallSession()} />);
    const detail = screen.getByRole('region', { name: 'Event detail' });
    expect(within(detail).getByRole('heading', { level: 2 }).textContent).toBe('my-session');
    fireEvent.click(screen.getByRole('treeitem', { name: 'search' }));
    expect(
      within(screen.getByRole('region', { name: 'Event detail' })).getByText('search failed: timeout'),
    ).toBeTruthy();
  });

  it('is controlled when onSelectEvent is given, and reveals a selected event in a collapsed branch', () => {
    const picked: string[] = [];
    function Host() {
      const [selected, setSelected] = useState<string | undefined>(undefined);
      return (
        <>
          <button type="button" onClick={() => setSelected('fetch')}>
            pick fetch
          </button>
          <SessionView
            session={smallSession()}
            selectedEventId={selected}
            onSelectEvent={(id) => {
              picked.push(id);
              if (id !== 'llm') setSelected(id);
            }}
          />
        </>
      );
    }
    render(<Host />);
    fireEvent.click(screen.getByRole('treeitem', { name: 'llm' }));
    expect(picked).toEqual(['llm']);
    // The host refused: nothing is selected.
    expect(screen.getByRole('treeitem', { name: 'llm' }).getAttribute('aria-selected')).toBe('false');
    fireEvent.click(screen.getByRole('button', { name: 'Collapse all' }));
    expect(screen.queryByRole('treeitem', { name: 'fetch' })).toBeNull();
    act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'pick fetch' }));
    });
    expect(screen.getByRole('treeitem', { name: 'fetch' }).getAttribute('aria-selected')).toBe('true');
    expect(
      within(screen.getByRole('region', { name: 'Event detail' })).getByRole('heading', { level: 2 })
        .textContent,
    ).toBe('fetch');
  });

  it('shows the session summary and switches tabs with the keyboard', () => {
    render(<SessionView session={smallSession()} />);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('my-session');
    expect(screen.getByText('5 events')).toBeTruthy();
    expect(screen.getByText('1 error')).toBeTruthy();
    const treeTab = screen.getByRole('tab', { name: 'Tree & timeline' });
    expect(treeTab.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(treeTab, { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { name: 'Thread' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.queryByRole('tree')).toBeNull();
    expect(screen.getByRole('list', { name: 'Conversation' })).toBeTruthy();
  });
});
