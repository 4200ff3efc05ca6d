/**
 * A tiny OpenAI-compatible server on loopback, so the examples and tests run without network or
 * API keys. `POST /v1/chat/completions` answers one fixed completion with usage tokens.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';

export const FAKE_USAGE = { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 } as const;
export const FAKE_ANSWER = 'Refunds are issued within 5 business days.';

export interface FakeOpenAI {
  /** Base URL for the openai client (`.../v1`). */
  baseURL: string;
  /** Chat requests received, parsed. */
  requests: { model?: string; messages?: unknown[] }[];
  close(): Promise<void>;
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: FakeOpenAI['requests'] = [];
  const server = createServer(async (req, res) => {
    const body = await text(req);
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}`, type: 'not_found' } }));
      return;
    }
    let parsed: { model?: string; messages?: unknown[] } = {};
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'body is not JSON', type: 'invalid_request_error' } }));
      return;
    }
    requests.push(parsed);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: parsed.model ?? 'gpt-4o-mini',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: FAKE_ANSWER },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage: FAKE_USAGE,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
