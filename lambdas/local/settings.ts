/**
 * `npm start`'s settings, read from the environment and checked before anything starts: a bad
 * value stops the start with a message naming the variable, what it must be and what to do. The
 * variables are declared with the same schema helpers as the Lambda functions' environments
 * (lambdas/config/schema.ts).
 */
import { custom, defineEnvironment, integer, oneOf, optional, string, withDefault } from '../config/schema';
import { isWellFormedApiKey } from '../domain/auth/api-key';
import { SQS_MAX_DELAY_SECONDS } from '../domain/queue-limits';
import { originProblem } from './cors';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger';

interface LocalSettings {
  port: number;
  /** OTLP/gRPC port (WAGGLE_GRPC_PORT, the OTLP/gRPC default 4317). */
  grpcPort: number;
  controlPlanePort: number;
  host: string;
  dataDir: string;
  projectName: string;
  apiKey?: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Origins the data plane allows by CORS (WAGGLE_CORS_ORIGINS); unset: the console's (the control plane's URL). */
  corsOrigins?: string[];
  /** Seconds a session must stay quiet before session evaluators score it (WAGGLE_SESSION_QUIET_S, 60). */
  sessionQuietSeconds: number;
  /** Seconds between monitor evaluations (WAGGLE_MONITOR_INTERVAL_S, 60: EventBridge Scheduler's minute on AWS). */
  monitorIntervalSeconds: number;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** 0 takes any free port. */
const port = () => integer({ min: 0, max: 65_535, expected: 'a port number (0-65535)' });

const LOCAL_SETTINGS = defineEnvironment('npm start', {
  WAGGLE_PORT: withDefault(port(), 4318),
  WAGGLE_GRPC_PORT: withDefault(port(), 4317),
  WAGGLE_CP_PORT: withDefault(port(), 4319),
  WAGGLE_HOST: withDefault(string(), '127.0.0.1'),
  WAGGLE_DATA_DIR: withDefault(string(), '.data'),
  WAGGLE_LOCAL_PROJECT: withDefault(string(), 'default'),
  /** Not repeated in the message: it is a secret. */
  WAGGLE_LOCAL_API_KEY: optional(
    custom('a Waggle API key', 'wgl_', (text, name) => {
      if (isWellFormedApiKey(text)) return text;
      throw new Error(
        `${name} is not a Waggle API key (wgl_ + 43 base64url characters + _ + a 6-character ` +
          'checksum, which must match): it would be refused on every request. Unset it to use the saved key ' +
          '(local.json), or make a key with `npm run keys -- create --project default --local`.',
      );
    }),
  ),
  WAGGLE_SESSION_QUIET_S: withDefault(integer({ min: 1, max: SQS_MAX_DELAY_SECONDS }), 60),
  WAGGLE_MONITOR_INTERVAL_S: withDefault(integer({ min: 1, max: 3600 }), 60),
  WAGGLE_LOG_LEVEL: withDefault(oneOf(LOG_LEVELS, { ignoreCase: true }), 'info'),
  WAGGLE_LOG_FORMAT: withDefault(oneOf(LOG_FORMATS, { ignoreCase: true }), 'text'),
  /** Comma-separated exact origins; replaces the default (the console's own origin). */
  WAGGLE_CORS_ORIGINS: optional(
    custom('comma-separated origins', 'http://127.0.0.1:4319,http://localhost:5173', (text, name) => {
      const origins = text
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin.length > 0);
      const problems = origins.map(originProblem).filter((problem) => problem !== undefined);
      if (origins.length === 0 || problems.length > 0)
        throw new Error(
          `${name} must list the origins the console is opened at, comma-separated, such as ` +
            `http://127.0.0.1:4319,http://localhost:5173: ${problems.length > 0 ? problems.join('; ') : 'no origin given'}`,
        );
      return origins;
    }),
  ),
});

export function readLocalSettings(env: Record<string, string | undefined>): LocalSettings {
  const { values, problems } = LOCAL_SETTINGS.parse(env);
  if (problems.length > 0) throw new SettingsError(problems);
  return {
    port: values.WAGGLE_PORT,
    grpcPort: values.WAGGLE_GRPC_PORT,
    controlPlanePort: values.WAGGLE_CP_PORT,
    host: values.WAGGLE_HOST,
    dataDir: values.WAGGLE_DATA_DIR,
    projectName: values.WAGGLE_LOCAL_PROJECT,
    apiKey: values.WAGGLE_LOCAL_API_KEY,
    logLevel: values.WAGGLE_LOG_LEVEL,
    logFormat: values.WAGGLE_LOG_FORMAT,
    corsOrigins: values.WAGGLE_CORS_ORIGINS,
    sessionQuietSeconds: values.WAGGLE_SESSION_QUIET_S,
    monitorIntervalSeconds: values.WAGGLE_MONITOR_INTERVAL_S,
  };
}
