/**
 * The real HoneyHive TypeScript client (honeyhive@1.0.42, REST part only) pointed at a Waggle
 * platform. The client validates every answer with its own zod schemas, so a wrong shape throws.
 * 1.0.42 reads through POST /events/export and GET /session/{id}, which Waggle serves beside the
 * newer /v1 paths, so its calls go out unchanged.
 */
import { HTTPClient } from 'honeyhive/lib/http.js';
import { HoneyHive } from 'honeyhive/sdk/sdk.js';

export interface RecordingClient {
  client: HoneyHive;
  /** The JSON body of the last answer, as sent (the client's schemas drop keys they do not know). */
  lastBody(): unknown;
}

export function honeyHiveClient(baseUrl: string, apiKey: string): RecordingClient {
  let last: unknown;
  const httpClient = new HTTPClient();
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
