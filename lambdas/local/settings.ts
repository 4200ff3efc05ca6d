/**
 * `npm start`'s settings, read from the environment and checked before anything starts: a bad
 * value stops the start with a message naming the variable, what it must be and what to do.
 */
import { isWellFormedApiKey } from '../domain/auth/api-key';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger';

export interface LocalSettings {
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
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export function readLocalSettings(env: Record<string, string | undefined>): LocalSettings {
  const problems: string[] = [];
  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (/^\d+$/.test(raw) && value <= 65_535) return value;
    problems.push(`${name} must be a port number (0-65535), got "${raw}"`);
    return fallback;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = raw.trim().toLowerCase();
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name} must be one of ${allowed.join(', ')} (default ${fallback}), got "${raw}"`);
    return fallback;
  };

  const apiKey = env.WAGGLE_LOCAL_API_KEY || undefined;
  if (apiKey !== undefined && !isWellFormedApiKey(apiKey)) {
    problems.push(
      'WAGGLE_LOCAL_API_KEY is not a Waggle API key (wgl_ + 43 base64url characters + _ + a 6-character ' +
        'checksum, which must match): it would be refused on every request. Unset it to use the saved key ' +
        '(local.json), or make a key with `npm run keys -- create --project default --local`.',
    );
  }
  const settings: LocalSettings = {
    port: port('WAGGLE_PORT', 4318),
    grpcPort: port('WAGGLE_GRPC_PORT', 4317),
    controlPlanePort: port('WAGGLE_CP_PORT', 4319),
    host: env.WAGGLE_HOST || '127.0.0.1',
    dataDir: env.WAGGLE_DATA_DIR || '.data',
    projectName: env.WAGGLE_LOCAL_PROJECT || 'default',
    apiKey,
    logLevel: oneOf('WAGGLE_LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: oneOf('WAGGLE_LOG_FORMAT', LOG_FORMATS, 'text'),
  };
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}
