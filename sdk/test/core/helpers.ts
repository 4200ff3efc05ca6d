/** Test helpers: a tracer exporting to memory, and a local HTTP receiver recording requests. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { type TracerOptions, WaggleTracer } from '../../src/index';

export interface Recorded {
  method: string;
  url: string;
  authorization: string | undefined;
  body: Buffer;
}

export interface Receiver {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export async function startReceiver(status = 200): Promise<Receiver> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks),
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(req.url === '/session/start' ? '{"session_id":"x"}' : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface MemoryTracer {
  tracer: WaggleTracer;
  exporter: InMemorySpanExporter;
  spans(): ReadableSpan[];
  warnings: string[];
}

export function memoryTracer(options: TracerOptions = {}): MemoryTracer {
  const exporter = new InMemorySpanExporter();
  const warnings: string[] = [];
  const tracer = new WaggleTracer({
    apiKey: 'test-key',
    project: 'test-project',
    // Nothing listens on port 9: session starts fail fast, which tracing must survive.
    serverUrl: 'http://127.0.0.1:9',
    spanProcessor: new SimpleSpanProcessor({ exporter }),
    logger: { debug: () => {}, warn: (m) => warnings.push(m) },
    ...options,
  });
  return { tracer, exporter, spans: () => exporter.getFinishedSpans(), warnings };
}
