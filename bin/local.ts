/**
 * `npm start`: runs the data plane and the control plane locally (see docs/local.md).
 * Environment (checked before anything starts, lambdas/local/settings.ts): WAGGLE_PORT (4318),
 * WAGGLE_GRPC_PORT (4317, OTLP/gRPC), WAGGLE_CP_PORT (4319), WAGGLE_HOST (127.0.0.1),
 * WAGGLE_DATA_DIR (.data), WAGGLE_LOCAL_PROJECT (default), WAGGLE_LOCAL_API_KEY (else the saved or
 * a new key), WAGGLE_LOG_LEVEL (info), WAGGLE_LOG_FORMAT (text), WAGGLE_CORS_ORIGINS (the console's
 * origin). The key is a key of the control plane's project of that name. The web console is served at
 * the control plane's root, built first when ui/ changed since its last build.
 */
import { createLogger } from '../lambdas/local/logger';
import { startLocalPlatform } from '../lambdas/local/platform';
import { readLocalSettings, SettingsError } from '../lambdas/local/settings';

const settings = (() => {
  try {
    return readLocalSettings(process.env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    console.error(
      `waggle: not started, fix these settings first:\n${error.problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    process.exit(2);
  }
})();

const logger = createLogger({ level: settings.logLevel, format: settings.logFormat });

const platform = await startLocalPlatform({
  port: settings.port,
  grpcPort: settings.grpcPort,
  host: settings.host,
  controlPlane: { port: settings.controlPlanePort, host: settings.host, console: { build: true } },
  corsOrigins: settings.corsOrigins,
  dataDir: settings.dataDir,
  projectName: settings.projectName,
  apiKey: settings.apiKey,
  sessionQuietSeconds: settings.sessionQuietSeconds,
  monitors: { intervalSeconds: settings.monitorIntervalSeconds },
  logger,
}).catch((error: unknown) => {
  console.error(`waggle: could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

const project = settings.projectName;
console.log(`
${consoleBanner()}
Waggle data plane running at ${platform.url}
  health        GET  ${platform.url}/healthz
  OTLP traces   POST ${platform.url}/v1/traces  (protobuf or JSON, optionally gzip)
  OTLP/gRPC     ${platform.grpcUrl}  (TraceService/Export, optionally gzip)
  HoneyHive     POST ${platform.url}/session/start, /events, /events/batch, /events/model ...
  read API      POST ${platform.url}/v1/events/export, GET /v1/sessions/{id}, /v1/events/{id}, /v1/events/chart
  data folder   ${platform.dataDir}  (URLs and key saved in local.json)

API key (project "${project}"${platform.projectId === project ? '' : `, id ${platform.projectId}`}): ${platform.apiKey}

${controlPlaneBanner()}
Send traces with any OpenTelemetry SDK:
  export OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=${platform.url}/v1/traces
  export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ${platform.apiKey}"
or over gRPC (unset the traces endpoint above first: it would win over OTEL_EXPORTER_OTLP_ENDPOINT):
  unset OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
  export OTEL_EXPORTER_OTLP_PROTOCOL=grpc OTEL_EXPORTER_OTLP_ENDPOINT=${platform.grpcUrl}
  export OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer ${platform.apiKey}"

Or with curl:
  curl -s ${platform.url}/healthz
  curl -s -X POST ${platform.url}/v1/traces -H 'content-type: application/json' \\
    -H 'authorization: Bearer ${platform.apiKey}' -d '{"resourceSpans":[]}'
`);

/** The console's address first: where most people go next. */
function consoleBanner(): string {
  const ui = platform.console;
  if (!ui) return '';
  const passwordAt = `${settings.dataDir.replace(/\/+$/, '')}/local.json`;
  const line = `Console: ${ui.url} — sign in as admin@local, password in ${passwordAt}`;
  if (ui.available) return `${line}\n`;
  const why = ui.build?.status === 'failed' ? 'the build failed (above)' : 'no build in ui/dist';
  return `${line}\n  not served: ${why}; build it with \`npm exec -- vite build ui\` and restart\n`;
}

/** Every start says where the admin password is; the first one prints it too. */
function controlPlaneBanner(): string {
  const cp = platform.controlPlane;
  if (!cp) return '';
  const passwordAt = `${platform.dataDir}/local.json ("controlPlane": "email", "password")`;
  const first = cp.bootstrap
    ? `  first start: created ${cp.bootstrap.email} (password ${cp.bootstrap.password}, kept in ${passwordAt}),
  organization "local" and project "default" (${cp.bootstrap.project_id}); ${cp.bootstrap.apiKey === platform.apiKey ? 'the API key above is its key' : `its API key ${cp.bootstrap.apiKey}`}
`
    : `  admin         sign in as admin@local with the password in ${passwordAt}
`;
  return `Control plane at ${cp.url}
  sign in       POST ${cp.url}/v1/auth/sign-in  {"email","password"} -> id_token
  projects/keys ${cp.url}/v1/projects, /v1/projects/{id}/keys  (Authorization: Bearer <id_token>)
  new key       npm run keys -- create --project ${project} --local  (scopes ingest,read)
  tokens        POST ${cp.url}/v1/tokens {"project_id"} -> a data-plane token for the read API
  JWKS          GET  ${cp.url}/.well-known/jwks.json
  sign-in locked out? restart npm start (the counters are in memory)
${first}`;
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info(`${signal}: finishing in-flight requests, then stopping`);
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
