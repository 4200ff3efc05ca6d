/**
 * `npm start`: runs the data plane locally (see docs/local.md).
 * Environment: WAGGLE_PORT (4318), WAGGLE_HOST (127.0.0.1), WAGGLE_DATA_DIR (.data),
 * WAGGLE_LOCAL_PROJECT (default), WAGGLE_LOCAL_API_KEY (else the saved or a new key).
 */
import { startLocalPlatform } from '../lambdas/local/platform';

function portFromEnv(): number {
  const raw = process.env.WAGGLE_PORT ?? '4318';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`WAGGLE_PORT must be a port number (0-65535), got "${raw}"`);
    process.exit(2);
  }
  return port;
}

const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

const platform = await startLocalPlatform({
  port: portFromEnv(),
  host: process.env.WAGGLE_HOST ?? '127.0.0.1',
  dataDir: process.env.WAGGLE_DATA_DIR ?? '.data',
  projectName: process.env.WAGGLE_LOCAL_PROJECT || 'default',
  apiKey: process.env.WAGGLE_LOCAL_API_KEY || undefined,
  log,
}).catch((error: unknown) => {
  console.error(`waggle: could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

const project = process.env.WAGGLE_LOCAL_PROJECT || 'default';
console.log(`
Waggle data plane running at ${platform.url}
  health        GET  ${platform.url}/healthz
  OTLP traces   POST ${platform.url}/v1/traces  (protobuf or JSON, optionally gzip)
  HoneyHive     POST ${platform.url}/session/start, /events, /events/batch, /events/model ...
  read API      POST ${platform.url}/v1/events/export, GET /v1/sessions/{id}, /v1/events/{id}, /v1/events/chart
  data folder   ${platform.dataDir}  (URLs and key saved in local.json)

API key (project "${project}"): ${platform.apiKey}

Send traces with any OpenTelemetry SDK:
  export OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=${platform.url}/v1/traces
  export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ${platform.apiKey}"

Or with curl:
  curl -s ${platform.url}/healthz
  curl -s -X POST ${platform.url}/v1/traces -H 'content-type: application/json' \\
    -H 'authorization: Bearer ${platform.apiKey}' -d '{"resourceSpans":[]}'
`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}: finishing in-flight requests, then stopping`);
  try {
    await platform.close();
    process.exit(0);
  } catch (error) {
    console.error(`waggle: stopped with errors: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
