/** Test helpers: an in-memory Storage, a scripted fetch, and the whole console rendered on a memory history. */
import { createMemoryHistory } from '@tanstack/react-router';
import { render } from '@testing-library/react';
import { afterAll, beforeAll } from 'vitest';
import { App } from '../src/App';
import type { SessionSearchRequest } from '../src/api/client';
import type { ConsoleConfig } from '../src/api/types';
import { createServices, type Services } from '../src/app/services';

export class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, String(value));
  }
}

/** The search the Sessions page sends first: no filters, the last 24 hours, newest first, 50 a page. */
export const FIRST_SESSION_SEARCH: SessionSearchRequest = {
  filters: [],
  dateRange: { relative: '24h' },
  sortBy: 'start_time',
  sortOrder: 'desc',
  limit: 50,
  page: 1,
};

export const CONFIG: ConsoleConfig = {
  controlPlaneUrl: 'http://cp.test',
  auth: { mode: 'local' },
  dataPlanes: [{ id: 'local', url: 'http://dp.test', otlpEndpoint: 'http://dp.test/v1/traces' }],
};

export interface Call {
  method: string;
  url: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Handler = (call: Call) => { status?: number; body?: unknown } | undefined;

/**
 * A fetch answering `METHOD origin+path` from `routes` (first match wins; a function may look at
 * the call); everything else is a 404. Every call is recorded.
 */
export function scriptedFetch(routes: Record<string, Handler | { status?: number; body?: unknown }>) {
  const calls: Call[] = [];
  const fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries((init.headers as Record<string, string>) ?? {}));
    let body: unknown = init.body;
    if (typeof body === 'string' && headers['content-type'] === 'application/json') body = JSON.parse(body);
    const call: Call = { method, url: input, path: url.pathname, headers, body };
    calls.push(call);
    const route = routes[`${method} ${url.origin}${url.pathname}`];
    const answer = typeof route === 'function' ? route(call) : route;
    if (!answer) return new Response(JSON.stringify({ message: 'Not Found' }), { status: 404 });
    return new Response(answer.body === undefined ? '' : JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return {
    fetch,
    calls,
    of: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path),
  };
}

export const PROJECT = {
  id: 'p1',
  name: 'default',
  org_id: 'o1',
  workspace_id: 'w1',
  created_at: '2026-11-01T00:00:00.000Z',
  updated_at: '2026-11-01T00:00:00.000Z',
};

/** Control-plane answers every signed-in page needs: projects and a data-plane token with `role`. */
export function controlPlaneRoutes(role = 'owner') {
  return {
    'GET http://cp.test/v1/projects': { body: [PROJECT] },
    'POST http://cp.test/v1/tokens': (call: Call) => ({
      body: {
        token: `dp-token-${(call.body as { project_id: string }).project_id}`,
        expires_at: new Date(Date.now() + 900_000).toISOString(),
        role,
        project_id: (call.body as { project_id: string }).project_id,
        data_plane_id: 'local',
      },
    }),
  };
}

export function renderApp(options: {
  path: string;
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  signedIn?: boolean;
  config?: ConsoleConfig;
  sessionStorage?: MemoryStorage;
  assign?: (url: string) => void;
}): { services: Services; session: MemoryStorage; history: ReturnType<typeof createMemoryHistory> } {
  const session = options.sessionStorage ?? new MemoryStorage();
  if (options.signedIn ?? true) {
    session.setItem(
      'waggle.session',
      JSON.stringify({
        idToken: 'id-token',
        expiresAt: Date.now() + 3_600_000,
        email: 'admin@local',
        userId: 'u1',
      }),
    );
  }
  const services = createServices(options.config ?? CONFIG, {
    fetch: options.fetch,
    sessionStorage: session,
    localStorage: new MemoryStorage(),
    assign: options.assign,
  });
  // Tests see failures at once instead of after retries.
  services.queryClient.setDefaultOptions({ queries: { retry: false, staleTime: Number.POSITIVE_INFINITY } });
  const history = createMemoryHistory({ initialEntries: [options.path] });
  render(<App services={services} history={history} />);
  return { services, session, history };
}

/**
 * jsdom lays nothing out (every element is 0 px): for the file calling this, elements that `match`
 * report a 1200 x 600 px box, as virtualized lists in a browser would see.
 */
export function stubLayout(match: (element: HTMLElement) => boolean = () => true): void {
  const sizes = ['clientHeight', 'clientWidth'] as const;
  const original = sizes.map((name) => Object.getOwnPropertyDescriptor(HTMLElement.prototype, name));
  beforeAll(() => {
    for (const name of sizes) {
      Object.defineProperty(HTMLElement.prototype, name, {
        configurable: true,
        get(this: HTMLElement) {
          return match(this) ? (name === 'clientHeight' ? 600 : 1200) : 0;
        },
      });
    }
  });
  afterAll(() => {
    sizes.forEach((name, index) => {
      const descriptor = original[index];
      if (descriptor) Object.defineProperty(HTMLElement.prototype, name, descriptor);
    });
  });
}
