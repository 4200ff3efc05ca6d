/**
 * A fake Waggle platform for evaluate(): the datasets, datapoints and runs calls it makes, session
 * starts and updates, and span exports, each recorded in arrival order.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunWire } from '../../src/experiments/platform-api';

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

/** A run as the fake keeps and returns it: the wire shape the client reads. */
export type FakeRun = RunWire;

export interface FakePlatform {
  url: string;
  calls: Call[];
  runs: Map<string, FakeRun>;
  /** Answers GET /runs/{id}/result with these datapoints; 404 (no results endpoint) when unset. */
  results: Map<string, { datapoint_id: string | null; session_id: string }[]>;
  /** Answer this method and path with this status and message instead. */
  fail: Map<string, number>;
  close(): Promise<void>;
}

export interface FakeDataset {
  id: string;
  datapoints: { _id: string; inputs: Record<string, unknown>; ground_truth: Record<string, unknown> }[];
}

export async function startFakePlatform(datasets: FakeDataset[] = []): Promise<FakePlatform> {
  const calls: Call[] = [];
  const runs = new Map<string, FakeRun>();
  const results = new Map<string, { datapoint_id: string | null; session_id: string }[]>();
  const fail = new Map<string, number>();
  let runCount = 0;
  const datapoints = new Map(
    datasets.flatMap((dataset) => dataset.datapoints.map((each) => [each._id, each])),
  );

  function answer(call: Call): [number, unknown] {
    const failing = fail.get(`${call.method} ${call.path}`);
    if (failing !== undefined)
      return [failing, { message: `injected failure of ${call.method} ${call.path}` }];
    const runPath = /^\/runs\/([^/]+)(\/result)?$/.exec(call.path);
    if (call.method === 'GET' && call.path === '/datasets') {
      const dataset = datasets.find((each) => each.id === call.query.get('dataset_id'));
      return [
        200,
        {
          testcases: dataset
            ? [{ _id: dataset.id, datapoints: dataset.datapoints.map((each) => each._id) }]
            : [],
        },
      ];
    }
    if (call.method === 'GET' && call.path === '/datapoints') {
      const ids = (call.query.get('datapoint_ids') ?? '').split(',');
      return [200, { datapoints: ids.flatMap((id) => datapoints.get(id) ?? []) }];
    }
    if (call.method === 'POST' && call.path === '/runs') {
      const body = call.body as Omit<FakeRun, 'run_id'>;
      const run: FakeRun = { ...body, datapoint_ids: body.datapoint_ids ?? [], run_id: `run-${++runCount}` };
      runs.set(run.run_id, run);
      return [200, { run_id: run.run_id, evaluation: run }];
    }
    if (runPath) {
      const run = runs.get(decodeURIComponent(runPath[1] ?? ''));
      if (!run) return [404, { message: 'no such run' }];
      if (runPath[2]) {
        const datapoints = results.get(run.run_id);
        return datapoints ? [200, { datapoints }] : [404, { message: 'Not Found' }];
      }
      if (call.method === 'GET') return [200, { evaluation: run }];
      if (call.method === 'PUT') {
        Object.assign(run, call.body);
        return [200, { evaluation: run, warning: null }];
      }
    }
    if (call.method === 'POST' && call.path === '/session/start')
      return [200, { session_id: (call.body as { session: { session_id: string } }).session.session_id }];
    if (call.method === 'PUT' && call.path === '/events') return [200, { success: true }];
    if (call.method === 'POST' && call.path === '/v1/traces') return [200, {}];
    return [404, { message: 'Not Found' }];
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const raw = Buffer.concat(chunks);
      let body: unknown;
      if (req.headers['content-type']?.includes('json') && raw.length > 0)
        body = JSON.parse(raw.toString('utf8'));
      const call = { method: req.method ?? '', path: url.pathname, query: url.searchParams, body };
      calls.push(call);
      const [status, payload] = answer(call);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    runs,
    results,
    fail,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
