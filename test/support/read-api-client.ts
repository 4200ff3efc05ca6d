/** A small client for the read API in end-to-end tests, and a poll-until helper for eventual reads. */
import { expect } from 'vitest';

export type ExportedEvent = Record<string, unknown> & {
  event_id: string;
  event_type: string;
  event_name: string;
};

export function readApi(baseUrl: string, apiKey: string) {
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const request = (method: string, path: string, body?: unknown) =>
    fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    request,
    post: (path: string, body: unknown) => request('POST', path, body),
    /** Stores a provider key (`PUT /v1/provider-keys/{provider}`); expects it created (201). */
    async putProviderKey(provider: string, body: Record<string, unknown>): Promise<void> {
      const response = await request('PUT', `/v1/provider-keys/${provider}`, body);
      expect(response.status, await response.clone().text()).toBe(201);
    },
    /**
     * Sends one event through HoneyHive's intake (`POST /events`): to the default project from source
     * `test`, with empty inputs and model gpt-4o unless `event` says otherwise. Expects it accepted;
     * returns its event_id.
     */
    async sendEvent(event: Record<string, unknown>): Promise<string> {
      const response = await request('POST', '/events', {
        event: { project: 'default', source: 'test', inputs: {}, config: { model: 'gpt-4o' }, ...event },
      });
      expect(response.status, await response.clone().text()).toBe(200);
      return ((await response.json()) as { event_id: string }).event_id;
    },
    async export(body: {
      filters: unknown[];
      limit?: number;
    }): Promise<{ events: ExportedEvent[]; totalEvents: number }> {
      const response = await request('POST', '/v1/events/export', { limit: 7500, ...body });
      if (response.status !== 200)
        throw new Error(`export answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { events: ExportedEvent[]; totalEvents: number };
    },
    // biome-ignore lint/suspicious/noExplicitAny: the session tree is checked field by field in tests
    async session(sessionId: string): Promise<{ status: number; body: any }> {
      const response = await request('GET', `/v1/sessions/${encodeURIComponent(sessionId)}`);
      return {
        status: response.status,
        body: response.status === 200 ? await response.json() : await response.text(),
      };
    },
  };
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met within ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
