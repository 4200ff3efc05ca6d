/**
 * The real HoneyHive TypeScript client (honeyhive@1.0.42, REST part only) pointed at a Waggle
 * platform. The client validates every answer with its own zod schemas, so a wrong shape throws.
 *
 * 1.0.42 predates HoneyHive's /v1 read paths: it calls POST /events/export and GET /session/{id},
 * which HoneyHive now serves (and Waggle routes) as POST /v1/events/export and
 * GET /v1/sessions/{id}. A request hook maps those two; every other call goes out unchanged.
 */
import { HTTPClient } from 'honeyhive/lib/http.js';
import { HoneyHive } from 'honeyhive/sdk/sdk.js';

function currentPath(url: URL, method: string): string | undefined {
  if (method === 'POST' && url.pathname === '/events/export') return '/v1/events/export';
  const session = /^\/session\/([^/]+)$/.exec(url.pathname);
  if (method === 'GET' && session && session[1] !== 'start') return `/v1/sessions/${session[1]}`;
  return undefined;
}

export interface RecordingClient {
  client: HoneyHive;
  /** The JSON body of the last answer, as sent (the client's schemas drop keys they do not know). */
  lastBody(): unknown;
}

export function honeyHiveClient(baseUrl: string, apiKey: string): RecordingClient {
  let last: unknown;
  const httpClient = new HTTPClient();
  httpClient.addHook('beforeRequest', async (request) => {
    const path = currentPath(new URL(request.url), request.method);
    if (!path) return request;
    const body = request.method === 'GET' ? undefined : await request.arrayBuffer();
    return new Request(new URL(path, request.url), {
      method: request.method,
      headers: request.headers,
      body,
    });
  });
  httpClient.addHook('response', async (response) => {
    last = response.headers.get('content-type')?.includes('json') ? await response.clone().json() : undefined;
  });
  const client = new HoneyHive({
    bearerAuth: apiKey,
    serverURL: baseUrl,
    httpClient,
    retryConfig: { strategy: 'none' },
  });
  return { client, lastBody: () => last };
}
