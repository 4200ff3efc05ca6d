import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ConfigurationWire } from '../src/api/client';
import { type Call, controlPlaneRoutes, renderApp, scriptedFetch } from './support';

const CONFIGURATION: ConfigurationWire = {
  _id: 'cfg1',
  project: 'p1',
  name: 'support-reply',
  provider: 'anthropic',
  parameters: {
    call_type: 'chat',
    model: 'claude-x',
    hyperparameters: { temperature: 0.2, max_tokens: 100, presence_penalty: 0.5 },
    template: [
      { role: 'system', content: 'You help {{customer}}.' },
      { role: 'user', content: 'Question: {{question}}' },
    ],
    selectedFunctions: [{ id: 'f1', name: 'lookup' }],
  },
  env: ['prod'],
  version: 3,
};

const encoder = new TextEncoder();

/** A streamed answer the test feeds piece by piece; an abort of the request errors it, as fetch does. */
function controlledStream(signal: AbortSignal | null | undefined) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  signal?.addEventListener('abort', () => controller.error(new DOMException('Aborted', 'AbortError')));
  return {
    stream,
    send: (text: string) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
  };
}

const delta = (content: string) =>
  `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`;
const finish = `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`;
const usage = `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 21, completion_tokens: 5, total_tokens: 26 } })}\n\n`;

type Completion = (call: Call, signal: AbortSignal | null | undefined) => Response | Promise<Response>;

/** The console's routes plus the data plane's configurations, event lookup and the proxy. */
function playgroundFetch(options: { completion?: Completion; events?: unknown[]; role?: string } = {}) {
  const configurations = [structuredClone(CONFIGURATION)];
  const api = scriptedFetch({
    ...controlPlaneRoutes(options.role ?? 'member'),
    'GET http://dp.test/v1/configurations': () => ({ body: configurations }),
    'PUT http://dp.test/v1/configurations/cfg1': () => ({
      body: { acknowledged: true, modifiedCount: 1, version: 4 },
    }),
    'POST http://dp.test/v1/configurations': (call) => {
      const body = call.body as ConfigurationWire;
      configurations.push({ ...body, _id: 'cfg2', project: 'p1', version: 1 });
      return { body: { acknowledged: true, insertedId: 'cfg2', version: 1 } };
    },
    'POST http://dp.test/v1/events/export': { body: { events: options.events ?? [], totalEvents: 0 } },
  });
  const completions: Call[] = [];
  const fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    if (new URL(input).pathname !== '/v1/chat/completions') return api.fetch(input, init);
    const headers = init.headers as Record<string, string>;
    const call: Call = {
      method: init.method ?? 'GET',
      url: input,
      path: '/v1/chat/completions',
      headers,
      body: JSON.parse(init.body as string),
    };
    api.calls.push(call);
    completions.push(call);
    if (!options.completion) throw new Error('no completion scripted');
    return options.completion(call, init.signal);
  };
  return { fetch, api, completions };
}

async function openPlayground(
  path = '/projects/p1/playground',
  options: Parameters<typeof playgroundFetch>[0] = {},
) {
  const scripted = playgroundFetch(options);
  const rendered = renderApp({ path, fetch: scripted.fetch });
  expect(await screen.findByRole('heading', { name: 'Playground', level: 1 })).toBeTruthy();
  return { ...scripted, ...rendered };
}

describe('playground', () => {
  it('is in the main navigation', async () => {
    await openPlayground();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const link = within(nav).getByRole('link', { name: 'Playground' });
    expect(link.getAttribute('href')).toBe('/projects/p1/playground');
    expect(link.getAttribute('aria-current')).toBe('page');
  });

  it('loads a configuration, fills its variables, streams the answer and shows tokens, cost, latency and the event', async () => {
    const user = userEvent.setup();
    let feed: ReturnType<typeof controlledStream> | undefined;
    const { completions, api } = await openPlayground('/projects/p1/playground', {
      completion: (_call, signal) => {
        feed = controlledStream(signal);
        return new Response(feed.stream, {
          headers: {
            'content-type': 'text/event-stream',
            'x-waggle-event-id': 'ev-1',
            'x-waggle-cost-usd': '0.0123',
          },
        });
      },
      events: [{ event_id: 'ev-1', session_id: 'sess-9', cost: 0.0123 }],
    });
    const picker = await screen.findByLabelText('Configuration');
    await waitFor(() =>
      expect(within(picker).getByRole('option', { name: 'support-reply (v3)' })).toBeTruthy(),
    );
    await user.selectOptions(picker, 'cfg1');
    await waitFor(() => expect((screen.getByLabelText('Model') as HTMLInputElement).value).toBe('claude-x'));
    expect((screen.getByLabelText('Provider') as HTMLSelectElement).value).toBe('anthropic');
    expect((screen.getByLabelText('Content 1') as HTMLTextAreaElement).value).toBe('You help {{customer}}.');
    expect((screen.getByLabelText('Role 2') as HTMLSelectElement).value).toBe('user');
    expect((screen.getByLabelText('Temperature') as HTMLInputElement).value).toBe('0.2');
    expect((screen.getByLabelText('Max tokens') as HTMLInputElement).value).toBe('100');

    await user.type(screen.getByLabelText('{{customer}}'), 'Acme');
    await user.type(screen.getByLabelText('{{question}}'), 'Where is my order?');
    const filled = screen.getByTestId('filled-messages');
    expect(filled.textContent).toContain('You help Acme.');
    expect(filled.textContent).toContain('Question: Where is my order?');

    // Unchanged, the configuration runs by its name: the proxy fills its template.
    expect(screen.getByTestId('runs-as').textContent).toBe('Runs support-reply v3 as saved.');
    await user.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(feed).toBeDefined());
    expect(completions[0]?.headers.authorization).toBe('Bearer dp-token-p1');
    expect(completions[0]?.body).toEqual({
      model: 'support-reply',
      messages: [],
      variables: { customer: 'Acme', question: 'Where is my order?' },
      user: 'waggle-console:u1',
      stream: true,
      stream_options: { include_usage: true },
    });
    // The answer shows as it arrives; Stop replaces Run meanwhile.
    feed?.send(delta('Your order') + delta(' ships'));
    const output = screen.getByTestId('playground-output');
    await waitFor(() => expect(output.textContent).toBe('Your order ships'));
    expect(screen.getByTestId('run-status').textContent).toBe('Running…');
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();
    feed?.send(delta(' to'));
    feed?.send(delta('day.') + finish);
    feed?.send(usage);
    feed?.send('data: [DONE]\n\n');
    feed?.close();
    await waitFor(() => expect(screen.getByTestId('run-status').textContent).toBe('Done (stop).'));
    expect(output.textContent).toBe('Your order ships today.');
    expect(screen.getByTestId('run-prompt-tokens').textContent).toBe('21');
    expect(screen.getByTestId('run-completion-tokens').textContent).toBe('5');
    expect(screen.getByTestId('run-cost').textContent).toBe('$0.0123');
    expect(screen.getByTestId('run-latency').textContent).toMatch(/\d+ ms|s$/);
    expect(screen.getByTestId('run-ttft').textContent).toMatch(/\d+ ms|s$/);
    const link = await screen.findByRole('link', { name: 'Open event' });
    expect(link.getAttribute('href')).toBe('/projects/p1/sessions/sess-9?event=ev-1');
    const lookup = api.of('POST', '/v1/events/export')[0]?.body as { filters: unknown[] };
    expect(lookup.filters).toEqual([{ field: 'event_id', operator: 'is', value: 'ev-1', type: 'string' }]);
  });

  it('runs an edited configuration as its provider and model, messages filled, and finds the event by its user', async () => {
    const user = userEvent.setup();
    const { completions, api } = await openPlayground('/projects/p1/playground?configuration=cfg1', {
      completion: () =>
        new Response(`${delta('Sure.')}${finish}${usage}data: [DONE]\n\n`, {
          headers: { 'content-type': 'text/event-stream' },
        }),
      events: [{ event_id: 'ev-7', session_id: 'sess-7', cost: 0.5 }],
    });
    await waitFor(() => expect((screen.getByLabelText('Model') as HTMLInputElement).value).toBe('claude-x'));
    fireEvent.change(screen.getByLabelText('Content 2'), { target: { value: 'Q: {{question}}!' } });
    expect(screen.getByTestId('runs-as').textContent).toBe('Runs the draft as anthropic/claude-x.');
    await user.type(screen.getByLabelText('{{question}}'), 'Why?');
    const before = Date.now();
    await user.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(screen.getByTestId('run-status').textContent).toBe('Done (stop).'));
    expect(completions[0]?.body).toEqual({
      model: 'anthropic/claude-x',
      messages: [
        { role: 'system', content: 'You help .' },
        { role: 'user', content: 'Q: Why?!' },
      ],
      temperature: 0.2,
      max_tokens: 100,
      variables: { customer: '', question: 'Why?' },
      user: 'waggle-console:u1',
      stream: true,
      stream_options: { include_usage: true },
    });
    // No event id from the proxy: the newest proxy call of this user since the run started.
    const link = await screen.findByRole('link', { name: 'Open event' });
    expect(link.getAttribute('href')).toBe('/projects/p1/sessions/sess-7?event=ev-7');
    const lookup = api.of('POST', '/v1/events/export')[0]?.body as {
      filters: unknown[];
      dateRange: { $gte: number };
      sortOrder: string;
    };
    expect(lookup.filters).toEqual([
      { field: 'source', operator: 'is', value: 'waggle-proxy', type: 'string' },
      { field: 'metadata.user', operator: 'is', value: 'waggle-console:u1', type: 'string' },
    ]);
    expect(lookup.sortOrder).toBe('desc');
    expect(lookup.dateRange.$gte).toBeGreaterThanOrEqual(before - 2_000);
    // The cost the proxy did not say comes from the stored event.
    expect(screen.getByTestId('run-cost').textContent).toBe('$0.5000');
  });

  it('says it is waiting while the recorded event is not stored yet, and links no event', async () => {
    const user = userEvent.setup();
    const { api } = await openPlayground('/projects/p1/playground', {
      completion: () =>
        new Response(`${delta('Hi')}${finish}data: [DONE]\n\n`, {
          headers: { 'content-type': 'text/event-stream', 'x-waggle-event-id': 'ev-late' },
        }),
      events: [],
    });
    await user.type(screen.getByLabelText('Model'), 'gpt-x');
    await user.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(api.of('POST', '/v1/events/export')).toHaveLength(1));
    expect((await screen.findByTestId('event-pending')).textContent).toContain(
      'Waiting for the event to be stored…',
    );
    expect(screen.queryByRole('link', { name: 'Open event' })).toBeNull();
    // No cost from the proxy and no stored event: the cost is unknown, not zero.
    expect(screen.getByTestId('run-cost').textContent).toBe('–');
  });

  it('stops a run, keeping what arrived', async () => {
    const user = userEvent.setup();
    let feed: ReturnType<typeof controlledStream> | undefined;
    await openPlayground('/projects/p1/playground', {
      completion: (_call, signal) => {
        feed = controlledStream(signal);
        return new Response(feed.stream, { headers: { 'content-type': 'text/event-stream' } });
      },
    });
    await user.type(screen.getByLabelText('Model'), 'gpt-x');
    await user.type(screen.getByLabelText('Content 2'), 'Count to a hundred');
    await user.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(feed).toBeDefined());
    // Run turns into Stop in place: the keyboard focus stays on it.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Stop' }));
    feed?.send(delta('1, 2, 3'));
    await waitFor(() => expect(screen.getByTestId('playground-output').textContent).toBe('1, 2, 3'));
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(screen.getByTestId('run-status').textContent).toBe('Stopped.'));
    expect(screen.getByTestId('playground-output').textContent).toBe('1, 2, 3');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Run' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows the error of a refused run, with a way to add the missing provider key', async () => {
    const user = userEvent.setup();
    await openPlayground('/projects/p1/playground', {
      completion: () =>
        new Response(
          JSON.stringify({
            error: {
              message: 'No provider key for openai in this project',
              type: 'invalid_request_error',
              code: 'provider_key_missing',
            },
          }),
          { status: 400, headers: { 'content-type': 'application/json' } },
        ),
    });
    await user.type(screen.getByLabelText('Model'), 'gpt-x');
    await user.click(screen.getByRole('button', { name: 'Run' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('No provider key for openai in this project (HTTP 400)');
    const link = screen.getByRole('link', { name: 'add one in Admin ▸ Provider keys' });
    expect(link.getAttribute('href')).toBe('/projects/p1/admin?tab=provider-keys');
    expect(screen.getByTestId('run-status').textContent).toBe('Failed.');
  });

  it('shows an error the stream reports midway, without the provider-key link', async () => {
    const user = userEvent.setup();
    await openPlayground('/projects/p1/playground', {
      completion: () =>
        new Response(
          delta('Part') +
            `data: ${JSON.stringify({ error: { message: 'Upstream timed out', type: 'server_error' } })}\n\n`,
          { headers: { 'content-type': 'text/event-stream' } },
        ),
    });
    await user.type(screen.getByLabelText('Model'), 'gpt-x');
    // Ctrl+Enter runs from the keyboard.
    await user.click(screen.getByLabelText('Content 2'));
    await user.keyboard('{Control>}{Enter}{/Control}');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Upstream timed out');
    expect(screen.queryByRole('link', { name: /Provider keys/ })).toBeNull();
    expect(screen.getByTestId('playground-output').textContent).toBe('Part');
  });

  it('refuses to run with a bad parameter or no model, naming the field', async () => {
    const user = userEvent.setup();
    const { completions } = await openPlayground();
    const run = screen.getByRole('button', { name: 'Run' }) as HTMLButtonElement;
    expect(run.disabled).toBe(true);
    await user.type(screen.getByLabelText('Model'), 'gpt-x');
    expect(run.disabled).toBe(false);
    fireEvent.change(screen.getByLabelText('Temperature'), { target: { value: '3' } });
    expect(screen.getByText('Temperature is a number from 0 to 2')).toBeTruthy();
    expect(screen.getByLabelText('Temperature').getAttribute('aria-invalid')).toBe('true');
    expect(run.disabled).toBe(true);
    await user.click(screen.getByLabelText('Content 2'));
    await user.keyboard('{Control>}{Enter}{/Control}');
    expect(completions).toHaveLength(0);
  });

  it('adds, reorders and removes messages, keeping the focus in place', async () => {
    const user = userEvent.setup();
    await openPlayground();
    const contents = () =>
      screen
        .queryAllByRole('textbox', { name: /^Content \d+$/ })
        .map((box) => (box as HTMLTextAreaElement).value);
    expect(contents()).toEqual(['You are a helpful assistant.', '']);
    await user.type(screen.getByLabelText('Content 2'), 'first');
    await user.click(screen.getByRole('button', { name: 'Add message' }));
    expect(document.activeElement).toBe(screen.getByLabelText('Content 3'));
    expect((screen.getByLabelText('Role 3') as HTMLSelectElement).value).toBe('assistant');
    await user.keyboard('second');
    expect(contents()).toEqual(['You are a helpful assistant.', 'first', 'second']);
    await user.click(screen.getByRole('button', { name: 'Move message 2 down' }));
    expect(contents()).toEqual(['You are a helpful assistant.', 'second', 'first']);
    // The moved message's text gets the focus at an end; the button otherwise.
    expect(document.activeElement).toBe(screen.getByLabelText('Content 3'));
    await user.click(screen.getByRole('button', { name: 'Move message 3 up' }));
    expect(contents()).toEqual(['You are a helpful assistant.', 'first', 'second']);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Move message 2 up' }));
    await user.click(screen.getByRole('button', { name: 'Remove message 1' }));
    expect(contents()).toEqual(['first', 'second']);
    expect(document.activeElement).toBe(screen.getByLabelText('Content 1'));
    await user.click(screen.getByRole('button', { name: 'Remove message 2' }));
    await user.click(screen.getByRole('button', { name: 'Remove message 1' }));
    expect(contents()).toEqual([]);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Add message' }));
  });

  it('saves an edited configuration as its next version, keeping what the page does not edit', async () => {
    const user = userEvent.setup();
    const { api } = await openPlayground('/projects/p1/playground?configuration=cfg1');
    await waitFor(() => expect((screen.getByLabelText('Model') as HTMLInputElement).value).toBe('claude-x'));
    expect(screen.getByText(/Saving makes version 4 of/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Temperature'), { target: { value: '0.7' } });
    fireEvent.change(screen.getByLabelText('Stop sequences (one per line)'), {
      target: { value: 'END\n###' },
    });
    await user.click(screen.getByRole('button', { name: 'Save as new version' }));
    await waitFor(() => expect(screen.getByText('Saved as version 4.')).toBeTruthy());
    expect(api.of('PUT', '/v1/configurations/cfg1')[0]?.body).toEqual({
      name: 'support-reply',
      provider: 'anthropic',
      parameters: {
        call_type: 'chat',
        model: 'claude-x',
        hyperparameters: { presence_penalty: 0.5, temperature: 0.7, max_tokens: 100, stop: ['END', '###'] },
        template: CONFIGURATION.parameters.template,
        selectedFunctions: [{ id: 'f1', name: 'lookup' }],
      },
    });
  });

  it('saves a new configuration under a name and switches to it', async () => {
    const user = userEvent.setup();
    const { api, history } = await openPlayground();
    await user.selectOptions(screen.getByLabelText('Provider'), 'openai');
    await user.type(screen.getByLabelText('Model'), 'gpt-x');
    await user.type(screen.getByLabelText('Content 2'), 'Hello');
    const save = screen.getByRole('button', { name: 'Save as new configuration' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    await user.type(screen.getByLabelText('Configuration name'), 'greeter');
    await user.click(save);
    await waitFor(() => expect(history.location.search).toContain('configuration=cfg2'));
    expect(api.of('POST', '/v1/configurations')[0]?.body).toEqual({
      name: 'greeter',
      provider: 'openai',
      parameters: {
        call_type: 'chat',
        model: 'gpt-x',
        hyperparameters: {},
        template: [
          { role: 'system', content: 'You are a helpful assistant.' },
          { role: 'user', content: 'Hello' },
        ],
      },
    });
    await waitFor(() =>
      expect((screen.getByLabelText('Configuration') as HTMLSelectElement).value).toBe('cfg2'),
    );
    expect(screen.getByRole('button', { name: 'Save as new version' })).toBeTruthy();
  });

  it('lets a viewer look but neither run nor save', async () => {
    const user = userEvent.setup();
    await openPlayground('/projects/p1/playground', { role: 'viewer' });
    await screen.findByLabelText('Configuration');
    await waitFor(() =>
      expect(screen.getByRole('navigation', { name: 'Main' }).textContent).toContain('viewer'),
    );
    expect(screen.queryByRole('button', { name: /^Save as/ })).toBeNull();
    await user.type(screen.getByLabelText('Model'), 'gpt-x');
    expect((screen.getByRole('button', { name: 'Run' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/Viewers cannot run prompts/)).toBeTruthy();
  });
});
