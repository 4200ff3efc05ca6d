/** The handle a test gets from startFakeOpenAICompatible and startFakeAnthropic. */
import type { ServerResponse } from 'node:http';
import { type Behaviour, BehaviourScript } from './behaviour';
import {
  type FakeServer,
  type FakeServerOptions,
  type RecordedRequest,
  startFakeServer,
} from './fake-http-server';

export interface FakeProvider {
  /** Base URL including /v1: what a client's baseURL or a provider key's base_url takes. */
  url: string;
  /** Every request received, in order, with what was answered (status, timings, outcome). */
  requests: RecordedRequest[];
  /** The behaviour of every request after the queued ones (a value or a function of the request). */
  respondWith: BehaviourScript<RecordedRequest>['respondWith'];
  /** One-shot behaviours, used in order before `respondWith`'s. */
  queue: BehaviourScript<RecordedRequest>['queue'];
  /** N failures (default a 500), then `respondWith`'s behaviour. */
  failTimes: BehaviourScript<RecordedRequest>['failTimes'];
  /** Forgets the requests and the scripted behaviours. */
  reset(): void;
  /** Resolves once `count` requests have arrived (default timeout 10 s). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Stops the server, cutting open connections (hung answers included). */
  close(): Promise<void>;
}

export function fakeProvider(server: FakeServer, script: BehaviourScript<RecordedRequest>): FakeProvider {
  return {
    url: `${server.origin}/v1`,
    requests: server.requests,
    respondWith: (behaviour) => script.respondWith(behaviour),
    queue: (...behaviours) => script.queue(...behaviours),
    failTimes: (times, error) => script.failTimes(times, error),
    reset() {
      server.requests.length = 0;
      script.clear();
    },
    waitForRequests: (count, timeoutMs) => server.waitForRequests(count, timeoutMs),
    close: () => server.close(),
  };
}

/** What a provider's handler is given beside the request: its path without the query, its number, its behaviour. */
export interface ProviderRequest {
  path: string | undefined;
  /** The request's sequence number: ids and request ids are made from it. */
  number: number;
  /** The scripted behaviour for this request (taken from the script only when called). */
  behaviour(): Behaviour;
}

/** A fake provider on a fake server: `handle` answers each request in the provider's wire format. */
export async function startFakeProvider(
  options: FakeServerOptions,
  handle: (request: RecordedRequest, res: ServerResponse, provider: ProviderRequest) => Promise<void>,
): Promise<FakeProvider> {
  const script = new BehaviourScript<RecordedRequest>();
  const server = await startFakeServer(options, (request, res) =>
    handle(request, res, {
      path: request.path.split('?')[0],
      number: request.sequence,
      behaviour: () => script.next(request),
    }),
  );
  return fakeProvider(server, script);
}
