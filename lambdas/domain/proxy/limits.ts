/**
 * The LLM proxy's limits of one project, as an admin sets them (PUT /v1/proxy-limits) and the
 * guards read them: budgets in USD per UTC day and month and a rate limit in requests per minute,
 * for the project as a whole and for single credentials (an API key or a signed-in user, named as
 * ProxyCaller.credentialId names them). A limit left out is no limit. The document is replaced as a
 * whole; `{}` removes every limit.
 */
import { ValidationError } from '../errors';

export interface LimitSet {
  usd_per_day?: number;
  usd_per_month?: number;
  requests_per_minute?: number;
}

export interface ProxyLimits {
  project: LimitSet;
  /** By credential id: `api-key:<16 hex digits>` or `user:<subject>`. */
  credentials: Record<string, LimitSet>;
}

/** What the store keeps: the limits, and who set them when. */
export interface StoredProxyLimits {
  limits: ProxyLimits;
  updatedAt: number;
  updatedBy: string;
}

/** Budgets up to a million dollars a day or month, rates up to 100,000 requests a minute. */
export const MAX_USD = 1_000_000;
export const MAX_REQUESTS_PER_MINUTE = 100_000;
/** Credentials with limits of their own: a document of 100 fits the 16 KiB request body. */
export const MAX_CREDENTIALS = 100;
const MAX_CREDENTIAL_ID_LENGTH = 256;
const CREDENTIAL_ID = /^(api-key:[0-9a-f]{16}|user:[\x21-\x7e]{1,250})$/;

const LIMIT_FIELDS = ['usd_per_day', 'usd_per_month', 'requests_per_minute'] as const;

export const NO_LIMITS: ProxyLimits = { project: {}, credentials: {} };

/** Reads a PUT /v1/proxy-limits body: strict (unknown fields refused), nothing partial. */
export function parseProxyLimits(body: Record<string, unknown>): ProxyLimits {
  refuseUnknown(body, ['project', 'credentials'], 'the body');
  const project = body.project === undefined ? {} : parseLimitSet(body.project, 'project');
  const credentials: Record<string, LimitSet> = {};
  if (body.credentials !== undefined) {
    if (!isObject(body.credentials)) throw new ValidationError('credentials must be an object');
    const entries = Object.entries(body.credentials);
    if (entries.length > MAX_CREDENTIALS) {
      throw new ValidationError(`credentials may name at most ${MAX_CREDENTIALS} credentials`);
    }
    for (const [id, value] of entries) {
      if (id.length > MAX_CREDENTIAL_ID_LENGTH || !CREDENTIAL_ID.test(id)) {
        throw new ValidationError(
          "a credentials key must be a credential id: api-key:<the first 16 hex digits of the key's SHA-256> or user:<subject>",
        );
      }
      credentials[id] = parseLimitSet(value, `credentials["${id}"]`);
    }
  }
  return { project, credentials };
}

function parseLimitSet(value: unknown, where: string): LimitSet {
  if (!isObject(value)) throw new ValidationError(`${where} must be an object`);
  refuseUnknown(value, LIMIT_FIELDS, where);
  const set: LimitSet = {};
  for (const field of ['usd_per_day', 'usd_per_month'] as const) {
    const usd = value[field];
    if (usd === undefined || usd === null) continue;
    if (typeof usd !== 'number' || !Number.isFinite(usd) || usd < 0 || usd > MAX_USD) {
      throw new ValidationError(`${where}.${field} must be a number of dollars from 0 to ${MAX_USD}`);
    }
    set[field] = usd;
  }
  const rate = value.requests_per_minute;
  if (rate !== undefined && rate !== null) {
    if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 0 || rate > MAX_REQUESTS_PER_MINUTE) {
      throw new ValidationError(
        `${where}.requests_per_minute must be an integer from 0 to ${MAX_REQUESTS_PER_MINUTE}`,
      );
    }
    set.requests_per_minute = rate;
  }
  return set;
}

function refuseUnknown(value: Record<string, unknown>, known: readonly string[], where: string): void {
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new ValidationError(
      `${where} has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} (known: ${known.join(', ')})`,
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The answer of GET and PUT /v1/proxy-limits. */
export function proxyLimitsView(stored: StoredProxyLimits | undefined) {
  const limits = stored?.limits ?? NO_LIMITS;
  return {
    project: limits.project,
    credentials: limits.credentials,
    updated_at: stored ? new Date(stored.updatedAt).toISOString() : null,
    updated_by: stored?.updatedBy ?? null,
  };
}

/** Dollars as a refusal names them: cents, or more digits for a budget below a cent's precision. */
export function formatUsd(usd: number): string {
  const cents = usd.toFixed(2);
  return Number(cents) === usd ? `$${cents}` : `$${Number(usd.toPrecision(6))}`;
}
