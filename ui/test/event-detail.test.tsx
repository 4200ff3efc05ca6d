import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { MetricWire } from '../src/api/client';
import { EventDetail } from '../src/event/EventDetail';
import { looksLikeMarkdown } from '../src/event/Value';
import { makeEvent } from '../src/session/fixtures';
import { controlPlaneRoutes, renderApp, scriptedFetch, stubLayout } from './support';

function section(name: string): HTMLElement {
  const heading = screen.getByRole('heading', { name });
  return heading.closest('section') as HTMLElement;
}

const chatEvent = makeEvent({
  event_id: 'evt-1',
  session_id: 'sess-1',
  trace_id: 'trace-1',
  span_id: 'span-1',
  parent_id: 'parent-1',
  event_type: 'model',
  event_name: 'openai.chat',
  model: 'gpt-4o-mini',
  provider: 'openai',
  duration: 1530,
  prompt_tokens: 1200,
  completion_tokens: 80,
  total_tokens: 1280,
  cost: 0.0123,
  config: { model: 'gpt-4o-mini', provider: 'openai', temperature: 0.3, max_tokens: 512 },
  inputs: {
    chat_history: [
      { role: 'system', content: 'You are terse.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is 6 x 7?' },
          { type: 'image_url', image_url: { url: 'https://img.test/a.png' } },
        ],
      },
    ],
    temperature_hint: 'low',
  },
  outputs: {
    role: 'assistant',
    content: null,
    tool_calls: [
      { id: 'call_1', type: 'function', function: { name: 'calculator', arguments: '{"expr":"6*7"}' } },
    ],
    finish_reason: 'tool_calls',
  },
  metadata: { customer: 'ACME' },
  metrics: { relevance: 0.9 },
  feedback: { rating: 5 },
  user_properties: { user_id: 'u-1' },
});

describe('EventDetail', () => {
  it('labels the panel and shows the summary, config and sections', () => {
    render(<EventDetail event={chatEvent} />);
    const panel = screen.getByRole('region', { name: 'Event detail' });
    expect(within(panel).getByRole('heading', { level: 2 }).textContent).toBe('openai.chat');
    expect(panel.textContent).toContain('1.53 s');
    expect(panel.textContent).toMatch(/1,200 prompt · 80 completion · 1,280 total/);
    expect(panel.textContent).toContain('$0.0123');
    const config = section('Config');
    expect(config.textContent).toContain('gpt-4o-mini');
    expect(config.textContent).toContain('openai');
    expect(config.textContent).toContain('temperature');
    expect(config.textContent).toContain('0.3');
    expect(section('Metadata').textContent).toContain('ACME');
    expect(section('Metrics').textContent).toContain('0.9');
    expect(section('Feedback').textContent).toContain('5');
    expect(section('User properties').textContent).toContain('u-1');
    expect(screen.queryByRole('heading', { name: 'Error' })).toBeNull();
  });

  it('renders inputs and outputs as chat messages with content parts and tool calls', () => {
    render(<EventDetail event={chatEvent} />);
    const inputs = section('Inputs');
    const messages = within(inputs).getAllByRole('article');
    expect(messages.map((m) => m.getAttribute('aria-label'))).toEqual(['system message', 'user message']);
    expect(messages[1]?.textContent).toContain('What is 6 x 7?');
    expect(messages[1]?.textContent).toContain('[image https://img.test/a.png]');
    expect(inputs.querySelector('img')).toBeNull();
    // Keys beside the history are still shown.
    expect(inputs.textContent).toContain('temperature_hint');
    const outputs = section('Outputs');
    const answer = within(outputs).getByRole('article', { name: 'assistant message' });
    expect(answer.textContent).toContain('calculator');
    expect(answer.textContent).toContain('call_1');
    expect(answer.textContent).toContain('"6*7"'); // arguments parsed into a JSON tree
    expect(outputs.textContent).toContain('finish_reason');
  });

  it('copies the ids and toggles the raw JSON', async () => {
    const written: string[] = [];
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async (text: string) => void written.push(text) },
    });
    render(<EventDetail event={chatEvent} rawJsonHref="/api/events/evt-1" />);
    fireEvent.click(screen.getByRole('button', { name: 'Copy Event ID' }));
    fireEvent.click(screen.getByRole('button', { name: 'Copy Session ID' }));
    fireEvent.click(screen.getByRole('button', { name: 'Copy Trace ID' }));
    await screen.findAllByText('Copied');
    expect(written).toEqual(['evt-1', 'sess-1', 'trace-1']);
    expect(screen.getByRole('link', { name: 'Open raw JSON' }).getAttribute('href')).toBe(
      '/api/events/evt-1',
    );
    const toggle = screen.getByRole('button', { name: 'Show raw JSON' });
    fireEvent.click(toggle);
    const raw = document.getElementById(toggle.getAttribute('aria-controls') ?? '') as HTMLElement;
    expect(JSON.parse(raw.textContent ?? '')).toMatchObject({
      event_id: 'evt-1',
      children: '[0 child events omitted]',
    });
    fireEvent.click(screen.getByRole('button', { name: 'Hide raw JSON' }));
    expect(document.getElementById(toggle.getAttribute('aria-controls') ?? '')).toBeNull();
  });

  it('shows an error prominently', () => {
    render(
      <EventDetail
        event={makeEvent({ event_type: 'tool', event_name: 'search', error: 'Timed out after 30 s' })}
      />,
    );
    const error = screen.getByRole('heading', { name: 'Error' }).parentElement as HTMLElement;
    expect(error.className).toContain('wg-error');
    expect(error.textContent).toContain('Timed out after 30 s');
  });

  it('renders markdown output without ever rendering raw HTML', () => {
    const hostile =
      '## Result\n\n- one\n- **two**\n\n<script>window.hacked = true</script>\n\n<img src=x onerror="window.hacked=true">\n\n[click](javascript:alert(1))\n\n![pixel](https://tracker.test/p.gif)';
    const { container } = render(
      <EventDetail
        event={makeEvent({ event_type: 'model', outputs: { role: 'assistant', content: hostile } })}
      />,
    );
    const outputs = section('Outputs');
    expect(within(outputs).getByRole('heading', { name: 'Result' })).toBeTruthy();
    expect(within(outputs).getByText('two').tagName).toBe('STRONG');
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('[onerror]')).toBeNull();
    // The HTML stays visible as text.
    expect(outputs.textContent).toContain('<script>window.hacked = true</script>');
    expect(outputs.textContent).toContain('<img src=x onerror="window.hacked=true">');
    expect((window as unknown as { hacked?: boolean }).hacked).toBeUndefined();
    // The javascript: URL is dropped: the text stays, with no working link.
    const link = within(outputs).getByText('click').closest('a');
    expect(link?.getAttribute('href') ?? '').not.toContain('javascript');
    // Images are links, never loaded.
    expect(within(outputs).getByRole('link', { name: '[image: pixel]' }).getAttribute('rel')).toContain(
      'noopener',
    );
  });

  it('renders plain strings as text and detects markdown', () => {
    expect(looksLikeMarkdown('Hello there.')).toBe(false);
    expect(looksLikeMarkdown('# Title\ntext')).toBe(true);
    expect(looksLikeMarkdown('Use `npm test` to run')).toBe(true);
    render(<EventDetail event={makeEvent({ outputs: { value: 'Just <b>text</b>' } })} />);
    const outputs = section('Outputs');
    expect(outputs.querySelector('b')).toBeNull();
    expect(outputs.textContent).toContain('Just <b>text</b>');
  });

  it('shows truncated values as their preview and full size', () => {
    render(
      <EventDetail
        event={makeEvent({
          inputs: {
            _truncated: true,
            _preview: '{"chat_history":[{"role":"user"',
            _bytes: 2_500_000,
          } as never,
          outputs: { result: { _truncated: true, _preview: 'partial result…', _bytes: 9000 } },
        })}
      />,
    );
    const inputs = section('Inputs');
    expect(inputs.textContent).toContain('Truncated: 2.4 MB in full');
    expect(inputs.textContent).toContain('{"chat_history":[{"role":"user"');
    const outputs = section('Outputs');
    expect(outputs.textContent).toContain('Truncated: 8.8 KB in full');
    expect(outputs.textContent).toContain('partial result…');
  });

  it('collapses long histories behind "Show N earlier messages"', () => {
    const history = Array.from({ length: 12 }, (_, i) => ({
      role: i % 2 ? 'assistant' : 'user',
      content: `message ${i}`,
    }));
    render(<EventDetail event={makeEvent({ event_type: 'model', inputs: { chat_history: history } })} />);
    const inputs = section('Inputs');
    expect(within(inputs).getAllByRole('article')).toHaveLength(4);
    expect(inputs.textContent).not.toContain('message 7');
    expect(inputs.textContent).toContain('message 11');
    fireEvent.click(within(inputs).getByRole('button', { name: 'Show 8 earlier messages' }));
    expect(within(inputs).getAllByRole('article')).toHaveLength(12);
  });

  it('renders other values as a collapsible JSON tree', () => {
    render(
      <EventDetail
        event={makeEvent({
          event_type: 'tool',
          inputs: { query: { filters: { deep: { deeper: 'hidden value' } }, k: 5 } },
        })}
      />,
    );
    const inputs = section('Inputs');
    expect(inputs.textContent).toContain('k');
    expect(inputs.textContent).not.toContain('hidden value');
    const deep = within(inputs).getByRole('button', { name: /deep/ });
    expect(deep.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(deep);
    expect(inputs.textContent).toContain('hidden value');
    fireEvent.click(within(inputs).getByRole('button', { name: /filters/ }));
    expect(inputs.textContent).not.toContain('hidden value');
  });

  it('says None for empty inputs and outputs', () => {
    render(<EventDetail event={makeEvent({ event_type: 'chain' })} />);
    expect(section('Inputs').textContent).toContain('None');
    expect(section('Outputs').textContent).toContain('None');
    expect(screen.queryByRole('heading', { name: 'Metadata' })).toBeNull();
  });
});

describe('Add to review on an event in the console', () => {
  // The session view's tree is virtualized: give it a view to render rows into.
  stubLayout();
  const human = (id: string, name: string): MetricWire => ({
    _id: id,
    name,
    type: 'human',
    return_type: 'boolean',
    enabled_in_prod: false,
    sampling_percentage: 100,
    version: 1,
  });
  const answer = makeEvent({
    event_id: 'm1',
    session_id: 's1',
    event_type: 'model',
    event_name: 'generate',
    // Another metric's review and a note the reviewer left under this one stay as they are.
    feedback: { helpful: { reviewed_by: 'bo@example.com' }, tone: { note: 'check the greeting' } },
    metrics: { clarity: true },
  });
  const tree = makeEvent({ event_id: 's1', session_id: 's1', event_type: 'session', children: [answer] });

  function app(role = 'member') {
    return scriptedFetch({
      ...controlPlaneRoutes(role),
      'GET http://dp.test/v1/sessions/s1': { body: tree },
      'GET http://dp.test/v1/metrics': {
        body: [
          human('h2', 'tone'),
          human('h1', 'clarity'),
          { ...human('c1', 'words'), type: 'custom', code_snippet: 'def f(e):\n  return 1' },
        ],
      },
      'PUT http://dp.test/events': { body: { success: true, event_id: 'm1' } },
    });
  }

  it("puts the event in a human metric's queue with who and when, keeping the metric's feedback entry", async () => {
    const api = app();
    renderApp({ path: '/projects/p1/sessions/s1?event=m1', fetch: api.fetch });
    const form = await screen.findByRole('form', { name: 'Add to review' });
    const select = within(form).getByLabelText('Human metric') as HTMLSelectElement;
    // Human metrics only, by name.
    expect([...select.options].map((option) => option.textContent)).toEqual(['clarity', 'tone']);
    // clarity already has a value on this event: nothing to queue.
    expect(within(form).getByRole('status').textContent).toBe('Already reviewed for clarity.');
    expect(within(form).getByRole('button', { name: 'Add to review' }).matches(':disabled')).toBe(true);

    const user = userEvent.setup();
    await user.selectOptions(select, 'h2');
    await user.click(within(form).getByRole('button', { name: 'Add to review' }));
    await waitFor(() => expect(api.of('PUT', '/events')).toHaveLength(1));
    expect(api.of('PUT', '/events')[0]?.body).toEqual({
      event_id: 'm1',
      feedback: {
        tone: { note: 'check the greeting', queued_by: 'admin@local', queued_at: expect.any(String) },
      },
    });
    const status = await within(form).findByTestId('review-queued');
    expect(status.textContent).toMatch(/^In the review queue of tone \(added by admin@local/);
    expect(within(status).getByRole('link', { name: 'Open the queue' }).getAttribute('href')).toBe(
      '/projects/p1/review?metric=h2',
    );
    expect(within(form).getByRole('button', { name: 'Add to review' }).matches(':disabled')).toBe(true);
  }, 20_000);

  it('is not offered to a viewer', async () => {
    const api = app('viewer');
    renderApp({ path: '/projects/p1/sessions/s1?event=m1', fetch: api.fetch });
    await screen.findByRole('heading', { name: 'generate' });
    // The metrics and the role are read, and still no control.
    await waitFor(() => expect(api.of('GET', '/v1/metrics').length).toBeGreaterThan(0));
    await waitFor(() => expect(api.of('POST', '/v1/tokens').length).toBeGreaterThan(0));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.queryByRole('form', { name: 'Add to review' })).toBeNull();
  });
});
