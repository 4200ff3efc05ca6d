import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SessionNode } from '../src/api/types';
import { contentParts } from '../src/event/chat';
import { makeEvent, makeLargeSession } from '../src/session/fixtures';
import { SessionView } from '../src/session/SessionView';
import { buildThread } from '../src/session/thread';
import { buildIndex } from '../src/session/tree';

const T0 = Date.UTC(2026, 0, 1);
const system = { role: 'system', content: 'Be brief.' };
const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });

function model(id: string, at: number, history: unknown[], output: unknown): SessionNode {
  return makeEvent({
    event_id: id,
    event_type: 'model',
    event_name: id,
    start_time: T0 + at,
    inputs: { chat_history: history },
    outputs: output as Record<string, unknown>,
  });
}

function session(children: SessionNode[]): SessionNode {
  return makeEvent({ event_id: 's', event_type: 'session', event_name: 'chat', start_time: T0, children });
}

function texts(root: SessionNode): string[] {
  return buildThread(buildIndex(root).order).map(
    (item) =>
      `${item.eventId}:${item.from}:${item.message.role}:${contentParts(item.message.content)
        .map((part) => (part.kind === 'text' ? part.text : '?'))
        .join('')}`,
  );
}

describe('thread', () => {
  it('shows a linear chat once: each turn adds only what is new', () => {
    const u1 = user('Hi');
    const a1 = assistant('Hello!');
    const u2 = user('Weather?');
    const a2 = assistant('Sunny.');
    const root = session([
      // Given out of order: the thread follows start times.
      model('m2', 200, [system, u1, a1, u2], a2),
      model('m1', 100, [system, u1], a1),
    ]);
    expect(texts(root)).toEqual([
      'm1:input:system:Be brief.',
      'm1:input:user:Hi',
      'm1:output:assistant:Hello!',
      'm2:input:user:Weather?',
      'm2:output:assistant:Sunny.',
    ]);
  });

  it('treats representation differences as the same message (parts vs string, null content)', () => {
    const call = { id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } };
    const root = session([
      model('m1', 1, [{ role: 'user', content: [{ type: 'text', text: 'Find x' }] }], {
        role: 'assistant',
        content: null,
        tool_calls: [call],
      }),
      model(
        'm2',
        2,
        [
          user('Find x'),
          {
            role: 'assistant',
            tool_calls: [{ ...call, function: { name: 'lookup', arguments: { q: 'x' } } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: '42' },
        ],
        assistant('x is 42'),
      ),
    ]);
    expect(texts(root)).toEqual([
      'm1:input:user:Find x',
      'm1:output:assistant:',
      'm2:input:tool:42',
      'm2:output:assistant:x is 42',
    ]);
  });

  it('keeps parallel conversations apart and still shows a repeated user message', () => {
    const root = session([
      model('a1', 1, [system, user('yes')], assistant('Sure?')),
      model('b1', 2, [{ role: 'system', content: 'Sub-agent' }, user('Research')], assistant('Found it')),
      model('a2', 3, [system, user('yes'), assistant('Sure?'), user('yes')], assistant('Done')),
    ]);
    expect(texts(root)).toEqual([
      'a1:input:system:Be brief.',
      'a1:input:user:yes',
      'a1:output:assistant:Sure?',
      'b1:input:system:Sub-agent',
      'b1:input:user:Research',
      'b1:output:assistant:Found it',
      'a2:input:user:yes',
      'a2:output:assistant:Done',
    ]);
  });

  it('drops the repeated part of a sliding-window history', () => {
    const root = session([
      model('m1', 1, [system, user('one'), user('two')], assistant('A')),
      // The window dropped "one": the history no longer starts like the last one.
      model('m2', 2, [system, user('two'), assistant('A'), user('three')], assistant('B')),
    ]);
    expect(texts(root).slice(-2)).toEqual(['m2:input:user:three', 'm2:output:assistant:B']);
  });

  it('reads outputs as choices and skips non-model events', () => {
    const root = session([
      makeEvent({ event_id: 't', event_type: 'tool', start_time: T0, inputs: { chat_history: [system] } }),
      model('m', 5, [user('Q')], {
        choices: [{ message: assistant('A1') }, { message: assistant('A2') }],
      }),
    ]);
    expect(texts(root)).toEqual(['m:input:user:Q', 'm:output:assistant:A1', 'm:output:assistant:A2']);
  });

  it('renders the thread tab; a group heading selects its event; long threads page', () => {
    const root = session([model('first', 1, [user('Ping')], assistant('Pong'))]);
    render(<SessionView session={root} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Thread' }));
    const list = screen.getByRole('list', { name: 'Conversation' });
    expect(
      within(list)
        .getAllByRole('article')
        .map((a) => a.getAttribute('aria-label')),
    ).toEqual(['user message', 'assistant message']);
    fireEvent.click(within(list).getByRole('button', { name: /first/ }));
    const detail = screen.getByRole('region', { name: 'Event detail' });
    expect(within(detail).getByRole('heading', { level: 2 }).textContent).toBe('first');
  });

  it('renders a page of a 5,000-event session thread with a "Show more" button', () => {
    render(<SessionView session={makeLargeSession(5000)} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Thread' }));
    const list = screen.getByRole('list', { name: 'Conversation' });
    expect(within(list).getAllByRole('article')).toHaveLength(100);
    fireEvent.click(screen.getByRole('button', { name: /Show more/ }));
    expect(within(list).getAllByRole('article')).toHaveLength(200);
  });
});
