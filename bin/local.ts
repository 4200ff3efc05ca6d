/**
 * `npm start`: runs the data plane and the control plane locally (see docs/local.md).
 * Environment: WAGGLE_PORT (4318), WAGGLE_CP_PORT (4319), WAGGLE_HOST (127.0.0.1), WAGGLE_DATA_DIR (.data),
 * WAGGLE_LOCAL_PROJECT (default), WAGGLE_LOCAL_API_KEY (else the saved or a new key). The key is a key of
 * the control plane's project of that name, made (or imported) through the control plane.
 */
import { startLocalPlatform } from '../lambdas/local/platform';

function portFromEnv(name: string, fallback: string): number {
  const raw = process.env[name] ?? fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`${name} must be a port number (0-65535), got "${raw}"`);
    process.exit(2);
  }
  return port;
}

const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

const platform = await startLocalPlatform({
  port: portFromEnv('WAGGLE_PORT', '4318'),
  host: process.env.WAGGLE_HOST ?? '127.0.0.1',
  controlPlane: { port: portFromEnv('WAGGLE_CP_PORT', '4319'), host: process.env.WAGGLE_HOST ?? '127.0.0.1' },
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

API key (project "${project}"${platform.projectId === project ? '' : `, id ${platform.projectId}`}): ${platform.apiKey}

${controlPlaneBanner()}
Send traces with any OpenTelemetry SDK:
  export OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=${platform.url}/v1/traces
  export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ${platform.apiKey}"

Or with curl:
  curl -s ${platform.url}/healthz
  curl -s -X POST ${platform.url}/v1/traces -H 'content-type: application/json' \\
    -H 'authorization: Bearer ${platform.apiKey}' -d '{"resourceSpans":[]}'
`);

/** The admin password is printed once, on the start that created it; later starts point to local.json. */
function controlPlaneBanner(): string {
  const cp = platform.controlPlane;
  if (!cp) return '';
  const first = cp.bootstrap
    ? `  first start: created ${cp.bootstrap.email} (password ${cp.bootstrap.password}),
  organization "local" and project "default" (${cp.bootstrap.project_id}); ${cp.bootstrap.apiKey === platform.apiKey ? 'the API key above is its key' : `its API key ${cp.bootstrap.apiKey}`}
`
    : `  admin credentials: see ${platform.dataDir}/local.json ("controlPlane")
`;
  return `Control plane at ${cp.url}
  sign in       POST ${cp.url}/v1/auth/sign-in  {"email","password"} -> id_token
  projects/keys ${cp.url}/v1/projects, /v1/projects/{id}/keys  (Authorization: Bearer <id_token>)
  tokens        POST ${cp.url}/v1/tokens {"project_id"} -> a data-plane token for the read API
  JWKS          GET  ${cp.url}/.well-known/jwks.json
${first}`;
}

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
