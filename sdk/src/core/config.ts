/**
 * Tracer configuration: plain options, a typed config object and environment variables, merged
 * in that order of precedence and validated once. A bad config never throws: the caller gets the
 * list of problems and disables the tracer with one warning.
 */
import type { SpanProcessor } from '@opentelemetry/sdk-trace';

export type ExportProtocol = 'protobuf' | 'json';
export type ExportCompression = 'gzip' | 'none';
export type ExportProfile = 'long-running' | 'serverless';

export interface WaggleLogger {
  debug(message: string): void;
  warn(message: string): void;
}

/** `true` (default): the built-in secret masking; `false`: none; a function: your own hook. */
export type RedactOption = boolean | ((value: unknown) => unknown);

export interface TracerSettings {
  apiKey?: string;
  project?: string;
  /** Source label on every event (e.g. `production`, `dev`); default `dev`. */
  source?: string;
  /** Base URL of the Waggle data plane (OTLP `/v1/traces` and REST `/session/start` live under it). */
  serverUrl?: string;
  sessionName?: string;
  /** Continue an existing session (multi-turn apps) instead of starting a new one. */
  sessionId?: string;
  /** Service name resource attribute; defaults to the project. */
  serviceName?: string;
  verbose?: boolean;
  disabled?: boolean;
  protocol?: ExportProtocol;
  compression?: ExportCompression;
  profile?: ExportProfile;
  redact?: RedactOption;
  /** Register this tracer's provider as the global OpenTelemetry provider. Off by default. */
  registerGlobal?: boolean;
  /** Add the export processor to an application provider that already exists, when it accepts one. */
  useExistingProvider?: boolean;
  /**
   * Install an AsyncLocalStorage context manager at the first span when none is registered
   * (default true); without any manager, spans lose their parent across `await`.
   */
  contextManager?: boolean;
  captureInputs?: boolean;
  captureOutputs?: boolean;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
  scheduledDelayMs?: number;
  exportTimeoutMs?: number;
  flushTimeoutMs?: number;
  shutdownTimeoutMs?: number;
  /** Longest a Lambda invocation waits for the flush before it returns. */
  lambdaFlushBudgetMs?: number;
  logger?: WaggleLogger;
  /** Replaces the export pipeline (tests and advanced setups: your own exporter). */
  spanProcessor?: SpanProcessor;
}

declare const TYPED_CONFIG: unique symbol;
/** A config object made by defineTracerConfig: validated shape, frozen, reusable across tracers. */
export type TypedTracerConfig = Readonly<TracerSettings> & { readonly [TYPED_CONFIG]: true };

export type TracerOptions = TracerSettings & { config?: TypedTracerConfig };

export interface TracerConfig {
  apiKey: string;
  project: string;
  source: string;
  serverUrl: string;
  sessionName: string;
  sessionId: string | undefined;
  serviceName: string;
  verbose: boolean;
  disabled: boolean;
  protocol: ExportProtocol;
  compression: ExportCompression;
  profile: ExportProfile;
  redact: RedactOption;
  registerGlobal: boolean;
  useExistingProvider: boolean;
  contextManager: boolean;
  captureInputs: boolean;
  captureOutputs: boolean;
  maxQueueSize: number | undefined;
  maxExportBatchSize: number | undefined;
  scheduledDelayMs: number | undefined;
  exportTimeoutMs: number | undefined;
  flushTimeoutMs: number;
  shutdownTimeoutMs: number;
  lambdaFlushBudgetMs: number;
  logger: WaggleLogger | undefined;
  spanProcessor: SpanProcessor | undefined;
}

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:4318';

export function defineTracerConfig(settings: TracerSettings): TypedTracerConfig {
  return Object.freeze({ ...settings }) as TypedTracerConfig;
}

export type ResolveResult = { ok: true; config: TracerConfig } | { ok: false; problems: string[] };

type Env = Record<string, string | undefined>;

function envString(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

function envBoolean(env: Env, name: string): boolean | undefined {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  return ['1', 'true', 'yes', 'on'].includes(value);
}

/** Explicit options, then the typed config, then the environment; `undefined` never overrides. */
function merge(input: TracerOptions, env: Env): TracerSettings {
  const fromEnv: TracerSettings = {
    apiKey: envString(env, 'WAGGLE_API_KEY', 'HH_API_KEY'),
    project: envString(env, 'WAGGLE_PROJECT', 'HH_PROJECT'),
    serverUrl: envString(env, 'WAGGLE_SERVER_URL', 'HH_API_URL'),
    source: envString(env, 'WAGGLE_SOURCE', 'HH_SOURCE'),
    sessionName: envString(env, 'WAGGLE_SESSION_NAME', 'HH_SESSION_NAME'),
    verbose: envBoolean(env, 'WAGGLE_VERBOSE'),
    disabled: envBoolean(env, 'WAGGLE_DISABLED'),
  };
  const { config, ...plain } = input;
  const merged: Record<string, unknown> = {};
  for (const layer of [fromEnv, config ?? {}, plain] as Record<string, unknown>[]) {
    for (const [key, value] of Object.entries(layer)) if (value !== undefined) merged[key] = value;
  }
  return merged as TracerSettings;
}

function positive(name: string, value: unknown, problems: string[]): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    problems.push(`${name} must be a positive number (got ${String(value)})`);
    return undefined;
  }
  return value;
}

function oneOf<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
  problems: string[],
): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`${name} must be one of ${allowed.join(', ')} (got ${String(value)})`);
  return fallback;
}

function validUrl(value: string, problems: string[]): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
  } catch {
    // reported below
  }
  problems.push(`serverUrl must be an http(s) URL (got ${value})`);
  return value;
}

const BOOLEAN_KEYS = [
  'verbose',
  'disabled',
  'registerGlobal',
  'useExistingProvider',
  'contextManager',
  'captureInputs',
  'captureOutputs',
] as const;

function isLogger(value: unknown): value is WaggleLogger {
  const logger = value as Partial<WaggleLogger> | null;
  return (
    typeof logger === 'object' &&
    logger !== null &&
    typeof logger.debug === 'function' &&
    typeof logger.warn === 'function'
  );
}

export function resolveConfig(input: TracerOptions = {}, env: Env = process.env): ResolveResult {
  const s = merge(input ?? {}, env);
  const problems: string[] = [];
  const disabled = s.disabled === true;
  if (!disabled && s.apiKey === undefined) {
    problems.push('apiKey is missing (option apiKey, or WAGGLE_API_KEY / HH_API_KEY)');
  }
  if (!disabled && s.project === undefined) {
    problems.push('project is missing (option project, or WAGGLE_PROJECT / HH_PROJECT)');
  }
  for (const key of ['apiKey', 'project', 'source', 'sessionName', 'sessionId', 'serviceName'] as const) {
    const value = s[key];
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      problems.push(`${key} must be a non-empty string`);
    }
  }
  if (s.redact !== undefined && typeof s.redact !== 'boolean' && typeof s.redact !== 'function') {
    problems.push('redact must be a boolean or a function');
  }
  for (const key of BOOLEAN_KEYS) {
    if (s[key] !== undefined && typeof s[key] !== 'boolean') problems.push(`${key} must be true or false`);
  }
  if (s.logger !== undefined && !isLogger(s.logger)) {
    problems.push('logger must have debug and warn functions');
  }
  const config: TracerConfig = {
    apiKey: s.apiKey ?? '',
    project: s.project ?? '',
    source: s.source ?? 'dev',
    serverUrl: validUrl(s.serverUrl ?? DEFAULT_SERVER_URL, problems),
    sessionName: s.sessionName ?? s.project ?? 'session',
    sessionId: s.sessionId,
    serviceName: s.serviceName ?? s.project ?? 'waggle-app',
    verbose: s.verbose === true,
    disabled,
    protocol: oneOf('protocol', s.protocol, ['protobuf', 'json'], 'protobuf', problems),
    compression: oneOf('compression', s.compression, ['gzip', 'none'], 'gzip', problems),
    profile: oneOf('profile', s.profile, ['long-running', 'serverless'], 'long-running', problems),
    redact: s.redact ?? true,
    registerGlobal: s.registerGlobal === true,
    useExistingProvider: s.useExistingProvider === true,
    contextManager: s.contextManager !== false,
    captureInputs: s.captureInputs !== false,
    captureOutputs: s.captureOutputs !== false,
    maxQueueSize: positive('maxQueueSize', s.maxQueueSize, problems),
    maxExportBatchSize: positive('maxExportBatchSize', s.maxExportBatchSize, problems),
    scheduledDelayMs: positive('scheduledDelayMs', s.scheduledDelayMs, problems),
    exportTimeoutMs: positive('exportTimeoutMs', s.exportTimeoutMs, problems),
    flushTimeoutMs: positive('flushTimeoutMs', s.flushTimeoutMs, problems) ?? 5_000,
    shutdownTimeoutMs: positive('shutdownTimeoutMs', s.shutdownTimeoutMs, problems) ?? 5_000,
    lambdaFlushBudgetMs: positive('lambdaFlushBudgetMs', s.lambdaFlushBudgetMs, problems) ?? 2_000,
    logger: s.logger,
    spanProcessor: s.spanProcessor,
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}
