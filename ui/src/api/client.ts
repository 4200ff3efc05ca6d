/**
 * The console's one API client: typed fetch wrappers for the control-plane API (bearer: the user's
 * ID token) and the data plane's read API (bearer: a short-lived data-plane token from
 * `POST /v1/tokens`, cached until shortly before it expires). Every failure is an ApiError carrying
 * the API's own words and the HTTP status.
 */

import type { ApiKeyView } from '../../../lambdas/domain/control-plane/wire-types';
import type { BackfillEstimate } from '../../../lambdas/domain/evaluators/backfill/estimate';
import type { BackfillState } from '../../../lambdas/domain/evaluators/backfill/runs';
import type { ProviderId } from '../../../lambdas/domain/providers/provider-ids';
import type { ProviderKeyScope } from '../../../lambdas/domain/providers/record';
import type { ProviderKeyView } from '../../../lambdas/domain/providers/service';
import type { ScoreHistoryEntry } from '../../../lambdas/domain/query/types';
import type { SessionSortField, SortOrder } from '../../../lambdas/domain/read-api/wire-types';
import { alertCalls } from './alert-calls';
import { experimentCalls } from './experiment-calls';
import type {
  ChartPoint,
  ConsoleConfig,
  DataPlaneEntry,
  EventFilter,
  EventSchemaAnswer,
  ExportAnswer,
  SessionNode,
  SessionSearchAnswer,
} from './types';

export type ApiSource = 'control-plane' | 'data-plane' | 'identity';

/** A failed API call: `message` is the API's own message when it sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly source: ApiSource,
    readonly body?: unknown,
  ) {
    super(message);
  }

  /** The request never got an HTTP answer (offline, CORS, DNS). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

export type { BackfillEstimate, BackfillState, ScoreHistoryEntry };

/** A backfill: a metric over the stored events of a range (docs/evaluators.md, "Backfills"). */
export interface BackfillRequest {
  metric_id: string;
  start_time: number;
  end_time: number;
  sampling_percentage?: number;
  max_events?: number;
  max_cost_usd?: number;
}

/** POST /v1/metrics/{metric_id}/reviews (the console says who the reviewer is by name; the platform by id). */
export interface ReviewRequest {
  event_id: string;
  value: boolean | number | string;
  comment?: string;
  reviewer_label?: string;
}

/** GET /v1/events/{id}/scores: every evaluation of an event, newest first (docs/evaluators.md). */
export interface ScoreHistoryAnswer {
  event_id: string;
  scores: ScoreHistoryEntry[];
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/**
 * The message an error body carries: `{success:false,error}` (control plane, read API),
 * `{message}` (gateways, the local server), HoneyHive-style `{error:{message}}` or `{errors:[...]}`,
 * OAuth's `{error_description}`, `{detail}`.
 */
export function messageFromBody(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() === '' ? undefined : body.trim().slice(0, 500);
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  // OAuth (Cognito's token endpoint): `error` is a code, `error_description` the words.
  if (typeof record.error_description === 'string' && record.error_description !== '')
    return record.error_description;
  if (typeof record.error === 'string' && record.error !== '') return record.error;
  if (record.error !== null && typeof record.error === 'object') {
    const nested = messageFromBody(record.error);
    if (nested) return nested;
  }
  if (typeof record.message === 'string' && record.message !== '') return record.message;
  if (typeof record.detail === 'string' && record.detail !== '') return record.detail;
  if (Array.isArray(record.errors)) {
    const parts = record.errors.map((entry) => messageFromBody(entry)).filter((part) => part !== undefined);
    if (parts.length > 0) return parts.join('; ');
  }
  return undefined;
}

function statusText(status: number): string {
  if (status === 401) return 'Not signed in, or the sign-in has expired';
  if (status === 403) return 'Forbidden';
  if (status === 404) return 'Not found';
  if (status === 429) return 'Too many requests; try again shortly';
  if (status >= 500) return `The server failed (HTTP ${status})`;
  return `Request failed (HTTP ${status})`;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Where a request went, for messages (a relative URL is the app's own origin). */
function originOf(url: string): string {
  try {
    return new URL(url, globalThis.location?.href).origin;
  } catch {
    return url;
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * One request; a non-2xx answer or a network failure becomes an ApiError. A 2xx body is JSON when it
 * parses, else text; `asText` keeps it text (a file such as a JSONL export, whose one line would parse).
 */
export async function request<T>(
  fetchFn: FetchLike,
  source: ApiSource,
  url: string,
  init: RequestInit,
  asText = false,
): Promise<T> {
  let response: Response;
  try {
    response = await fetchFn(url, init);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError(`Could not reach ${originOf(url)}: ${reason}`, 0, source);
  }
  if (asText && response.ok) return (await response.text()) as T;
  const body = await readBody(response);
  if (!response.ok) {
    throw new ApiError(messageFromBody(body) ?? statusText(response.status), response.status, source, body);
  }
  return body as T;
}

function jsonInit(method: string, bearer: string | undefined, body?: unknown): RequestInit {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

// ---- Control-plane shapes (lambdas/control-plane-api/app.ts, docs/control-plane.md) ----

export type Role = 'viewer' | 'member' | 'admin' | 'owner';
export const ROLES: readonly Role[] = ['viewer', 'member', 'admin', 'owner'];
export type KeyScope = 'ingest' | 'read' | 'admin';
export const KEY_SCOPES: readonly KeyScope[] = ['ingest', 'read', 'admin'];

export interface SignInAnswer {
  id_token: string;
  token_type?: string;
  expires_in: number;
  user: { id: string; email: string };
}

export interface Project {
  id: string;
  name: string;
  description?: string;
  type?: string;
  org_id: string;
  workspace_id: string;
  created_at: string;
  updated_at: string;
}

export interface Member {
  user_id: string;
  email?: string;
  org_id: string;
  workspace_id?: string;
  role: Role;
}

/** What listing shows of a key (the control plane's own shape, type-only). */
export type { ApiKeyView };

/** Create and rotate answers: the key itself, shown once. */
export interface IssuedKey extends ApiKeyView {
  key: string;
  replaced?: ApiKeyView;
}

export interface DataPlaneToken {
  token: string;
  expires_at: string;
  role: Role;
  project_id: string;
  data_plane_id?: string;
}

// ---- Data-plane requests ----

export type DateRange = { $gte: string | number; $lte: string | number } | { relative: string };

export type { SessionSortField, SortOrder };
export type EventSortField = 'start_time' | 'duration' | 'cost' | 'total_tokens' | 'event_name' | 'model';

export interface SessionSearchRequest {
  filters: EventFilter[];
  dateRange: DateRange;
  sortBy: SessionSortField;
  sortOrder: SortOrder;
  limit: number;
  page: number;
}

/** The body of HoneyHive's `PUT /events` (the sections a review writes). */
export interface EventUpdate {
  event_id: string;
  metrics?: Record<string, unknown>;
  feedback?: Record<string, unknown>;
}

export interface ExportRequest {
  filters: EventFilter[];
  dateRange: DateRange;
  limit: number;
  page: number;
  /** Top-level fields to return (all when absent): a list page asks only for what it shows. */
  projections?: string[];
  sortBy?: EventSortField;
  sortOrder?: SortOrder;
}

export type ChartAggregation =
  | 'count'
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'p50'
  | 'p75'
  | 'p90'
  | 'p95'
  | 'p99';
export type ChartBucket = 'minute' | 'hour' | 'day' | 'week' | 'month';

export interface ChartRequest {
  metric: string;
  aggregation: ChartAggregation;
  bucket: ChartBucket;
  groupBy?: string;
  filters: EventFilter[];
  dateRange: DateRange;
}

export interface ChartAnswer {
  events: ChartPoint[];
  totalEvents: number;
}

// ---- Data-plane provider keys (docs/providers.md; admin scope only) ----

/** The providers, as the data plane lists them (a module with no imports: nothing else of the platform comes in). */
export { PROVIDERS, type ProviderId } from '../../../lambdas/domain/providers/provider-ids';
/** A stored provider key as the API shows it (never the secret): the platform's own shapes. */
export type { ProviderKeyScope, ProviderKeyView };

export interface SetProviderKeyRequest {
  api_key?: string;
  base_url?: string;
  region?: string;
  scope: ProviderKeyScope;
}

export interface ProviderKeyAuditEntry {
  provider: ProviderId;
  scope: ProviderKeyScope;
  action: string;
  actor: string;
  at: string;
  version?: number;
}

// ---- Data-plane configurations (HoneyHive's /v1/configurations, docs/providers.md) ----

/** A configuration as `GET /v1/configurations` answers it (HoneyHive's Configuration). */
export interface ConfigurationWire {
  _id: string;
  id?: string;
  project: string;
  name: string;
  provider: string;
  type?: string;
  parameters: {
    call_type?: 'chat' | 'completion';
    model?: string;
    hyperparameters?: Record<string, unknown>;
    template?: { role: 'system' | 'user' | 'assistant' | 'tool'; content: string }[] | string;
    selectedFunctions?: unknown[];
    responseFormat?: Record<string, unknown>;
    functionCallParams?: string;
    forceFunction?: Record<string, unknown>;
  };
  env?: string[];
  version?: number;
  updated_at?: string;
}

/** The body of `POST /v1/configurations` and `PUT /v1/configurations/{id}` (a full new version). */
export interface ConfigurationWrite {
  name: string;
  provider: string;
  parameters: {
    call_type: 'chat' | 'completion';
    model: string;
    hyperparameters: Record<string, unknown>;
    template: { role: string; content: string }[];
    selectedFunctions?: unknown[];
    responseFormat?: Record<string, unknown>;
    functionCallParams?: string;
    forceFunction?: Record<string, unknown>;
  };
  env?: string[];
}

// ---- Data-plane metrics (HoneyHive's /v1/metrics, docs/evaluators.md) ----

export type MetricType = 'custom' | 'model' | 'human' | 'composite';
export type MetricReturnType = 'boolean' | 'float' | 'string';
export type MetricEventType = 'model' | 'tool' | 'chain' | 'session';

/** A metric as `GET /v1/metrics` (and each entry of its versions) answers it. */
export interface MetricWire {
  _id: string;
  id?: string;
  project_id?: string;
  name: string;
  type: MetricType;
  description?: string;
  criteria?: string;
  code_snippet?: string;
  prompt?: string;
  return_type: MetricReturnType;
  enabled_in_prod: boolean;
  needs_ground_truth?: boolean;
  sampling_percentage: number;
  threshold?: { min?: number; max?: number };
  pass_when?: boolean;
  event_type?: MetricEventType;
  event_name?: string;
  model_provider?: string;
  model_name?: string;
  judge_budget_usd_per_day?: number;
  child_metrics?: { id?: string; name: string; weight: number }[];
  filters?: { filterArray?: EventFilter[] };
  version: number;
  created_at?: string;
  updated_at?: string;
}

/** The fields a console form writes (`null` clears an optional field on PUT). */
export interface MetricWrite {
  name: string;
  type: MetricType;
  description?: string;
  code_snippet?: string | null;
  prompt?: string | null;
  model_provider?: string | null;
  model_name?: string | null;
  return_type: MetricReturnType;
  threshold?: { min?: number; max?: number } | null;
  pass_when?: boolean | null;
  enabled_in_prod: boolean;
  needs_ground_truth?: boolean;
  sampling_percentage: number;
  event_type?: MetricEventType | null;
  event_name?: string | null;
  /** human: what reviewers are asked (`null` clears it). */
  criteria?: string | null;
  /** composite: the children by id (and their name), each with its weight. */
  child_metrics?: { id?: string; name: string; weight: number }[];
  /** HoneyHive's filters on the events the metric scores (an empty list clears them). */
  filters?: EventFilter[];
}

/** `POST /v1/metrics/run_metric`'s answer: one score, nothing stored. */
export interface RunMetricAnswer {
  metric: { id?: string; name: string; type: string; return_type: string; version?: number };
  event_id: string;
  status: 'ok' | 'error';
  score: boolean | number | string | null;
  passed: boolean | null;
  explanation: string | null;
  error: string | null;
  cost: number | null;
  judge_event_id: string | null;
}

/** What run_metric runs: a stored metric (latest version) or a definition, on a stored event. */
export type RunMetricRequest = ({ metric_id: string } | { metric: MetricWrite }) & { event_id: string };

// ---- The client ----

export interface ApiClientOptions {
  config: ConsoleConfig;
  /** The signed-in user's ID token (renewed if it can be), or undefined when signed out. */
  idToken(): string | undefined | Promise<string | undefined>;
  /** Called when the control plane refuses the ID token (401): the console sends the user to sign in. */
  onUnauthorized(): void;
  fetch?: FetchLike;
  now?: () => number;
  /** A data-plane token is asked for again when fewer than this many ms remain (default 60 s). */
  refreshBeforeMs?: number;
}

export type ApiClient = ReturnType<typeof createApiClient>;

export function createApiClient(options: ApiClientOptions) {
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = options.now ?? Date.now;
  const refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
  const controlPlane = trimSlash(options.config.controlPlaneUrl);
  const tokens = new Map<string, CachedToken>();

  async function cp<T>(method: string, path: string, body?: unknown): Promise<T> {
    const idToken = await options.idToken();
    if (idToken === undefined) {
      options.onUnauthorized();
      throw new ApiError('Not signed in', 401, 'control-plane');
    }
    try {
      return await request<T>(
        fetchFn,
        'control-plane',
        `${controlPlane}${path}`,
        jsonInit(method, idToken, body),
      );
    } catch (error) {
      if (isApiError(error) && error.status === 401) options.onUnauthorized();
      throw error;
    }
  }

  function plane(dataPlaneId: string): DataPlaneEntry {
    const entry = options.config.dataPlanes.find((candidate) => candidate.id === dataPlaneId);
    if (!entry) throw new ApiError(`Unknown data plane ${dataPlaneId}`, 0, 'data-plane');
    return entry;
  }

  /** The cached data-plane token for (data plane, project), asked for again near its expiry. */
  function dataPlaneToken(dataPlaneId: string, projectId: string): Promise<DataPlaneToken> {
    const cacheKey = `${dataPlaneId}\n${projectId}`;
    const cached = tokens.get(cacheKey);
    // A pending request is shared; a token is reused while more than refreshBeforeMs remain.
    if (cached && (cached.expiresAtMs === undefined || cached.expiresAtMs - now() > refreshBeforeMs)) {
      return cached.promise;
    }
    const entry: CachedToken = {
      promise: cp<DataPlaneToken>('POST', '/v1/tokens', {
        data_plane_id: dataPlaneId,
        project_id: projectId,
      }),
    };
    tokens.set(cacheKey, entry);
    entry.promise.then(
      (answer) => {
        const expires = Date.parse(answer.expires_at);
        entry.expiresAtMs = Number.isFinite(expires) ? expires : now();
      },
      () => {
        // Failures are not cached.
        if (tokens.get(cacheKey) === entry) tokens.delete(cacheKey);
      },
    );
    return entry.promise;
  }

  /**
   * A read-API call. A 401 means the token was refused (expired early, signing key rotated): the
   * token is dropped, a fresh one asked for, and the call made once more.
   */
  async function dp<T>(
    target: { dataPlaneId: string; projectId: string },
    method: string,
    path: string,
    body?: unknown,
    asText = false,
  ): Promise<T> {
    const url = `${trimSlash(plane(target.dataPlaneId).url)}${path}`;
    const attempt = async () => {
      const token = await dataPlaneToken(target.dataPlaneId, target.projectId);
      return request<T>(fetchFn, 'data-plane', url, jsonInit(method, token.token, body), asText);
    };
    try {
      return await attempt();
    } catch (error) {
      if (!isApiError(error) || error.status !== 401 || error.source !== 'data-plane') throw error;
      tokens.delete(`${target.dataPlaneId}\n${target.projectId}`);
      return attempt();
    }
  }

  /**
   * An LLM-proxy call whose answer is read as it arrives: the 2xx Response itself, its body unread.
   * It goes to the plane's `llmProxyUrl` when config.json gives one (AWS), else to its `url`.
   * Errors and the 401 retry are as for `dp`; an abort is passed on as is.
   */
  async function dpStream(
    target: DataTarget,
    path: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<Response> {
    const entry = plane(target.dataPlaneId);
    const url = `${trimSlash(entry.llmProxyUrl ?? entry.url)}${path}`;
    const attempt = async (): Promise<Response> => {
      const token = await dataPlaneToken(target.dataPlaneId, target.projectId);
      const init = jsonInit('POST', token.token, body);
      (init.headers as Record<string, string>).accept = 'text/event-stream, application/json';
      let response: Response;
      try {
        response = await fetchFn(url, { ...init, signal });
      } catch (error) {
        if (signal?.aborted) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new ApiError(`Could not reach ${originOf(url)}: ${reason}`, 0, 'data-plane');
      }
      if (response.ok) return response;
      const answer = await readBody(response);
      throw new ApiError(
        messageFromBody(answer) ?? statusText(response.status),
        response.status,
        'data-plane',
        answer,
      );
    };
    try {
      return await attempt();
    } catch (error) {
      if (!isApiError(error) || error.status !== 401) throw error;
      tokens.delete(`${target.dataPlaneId}\n${target.projectId}`);
      return attempt();
    }
  }

  function query(params: Record<string, string | undefined>): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, value);
    const text = search.toString();
    return text === '' ? '' : `?${text}`;
  }

  const enc = encodeURIComponent;

  return {
    config: options.config,

    // Identity (local sign-in only; Cognito's managed login is in auth/cognito.ts).
    signIn(email: string, password: string): Promise<SignInAnswer> {
      return request<SignInAnswer>(
        fetchFn,
        'identity',
        `${controlPlane}/v1/auth/sign-in`,
        jsonInit('POST', undefined, { email, password }),
      );
    },

    // Control plane.
    listProjects: () => cp<Project[]>('GET', '/v1/projects'),
    createProject: (input: { name: string; description?: string; org_id?: string }) =>
      cp<Project>('POST', `/v1/projects${query({ org_id: input.org_id })}`, {
        name: input.name,
        description: input.description,
      }),
    listMembers: (orgId: string) => cp<Member[]>('GET', `/v1/orgs/${enc(orgId)}/members`),
    setMember: (
      orgId: string,
      userId: string,
      input: { role: Role; email?: string; workspace_id?: string },
    ) => cp<Member>('PUT', `/v1/orgs/${enc(orgId)}/members/${enc(userId)}`, input),
    removeMember: (orgId: string, userId: string, workspaceId?: string) =>
      cp<{ success: true }>(
        'DELETE',
        `/v1/orgs/${enc(orgId)}/members/${enc(userId)}${query({ workspace_id: workspaceId })}`,
      ),
    listKeys: (projectId: string) => cp<ApiKeyView[]>('GET', `/v1/projects/${enc(projectId)}/keys`),
    createKey: (projectId: string, scopes: KeyScope[]) =>
      cp<IssuedKey>('POST', `/v1/projects/${enc(projectId)}/keys`, { scopes }),
    rotateKey: (projectId: string, keyId: string, graceSeconds = 0) =>
      cp<IssuedKey>('POST', `/v1/projects/${enc(projectId)}/keys/${enc(keyId)}/rotate`, {
        grace_seconds: graceSeconds,
      }),
    revokeKey: (projectId: string, keyId: string) =>
      cp<ApiKeyView>('DELETE', `/v1/projects/${enc(projectId)}/keys/${enc(keyId)}`),
    // Control plane (alerts: channels, the notification log, monitors; docs/alerts.md).
    ...alertCalls(cp, query),
    dataPlaneToken,
    /** Drops every cached data-plane token (sign-out). */
    forgetTokens: () => tokens.clear(),

    // Data plane (read API).
    searchSessions: (target: DataTarget, body: SessionSearchRequest) =>
      dp<SessionSearchAnswer>(target, 'POST', '/v1/sessions/search', body),
    exportEvents: (target: DataTarget, body: ExportRequest) =>
      dp<ExportAnswer>(target, 'POST', '/v1/events/export', body),
    getSession: (target: DataTarget, sessionId: string) =>
      dp<SessionNode>(target, 'GET', `/v1/sessions/${enc(sessionId)}`),
    /** HoneyHive's `PUT /events`: merges the given sections into a stored event (the ingest scope). */
    updateEvent: (target: DataTarget, body: EventUpdate) => dp<unknown>(target, 'PUT', '/events', body),
    eventSchema: (target: DataTarget) => dp<EventSchemaAnswer>(target, 'GET', '/v1/events/schema'),
    scoreHistory: (target: DataTarget, eventId: string) =>
      dp<ScoreHistoryAnswer>(target, 'GET', `/v1/events/${enc(eventId)}/scores`),
    chart: (target: DataTarget, chart: ChartRequest) =>
      dp<ChartAnswer>(
        target,
        'GET',
        `/v1/events/chart${query({
          metric: chart.metric,
          aggregation: chart.aggregation,
          bucket: chart.bucket,
          groupBy: chart.groupBy,
          filters: chart.filters.length > 0 ? JSON.stringify(chart.filters) : undefined,
          dateRange:
            'relative' in chart.dateRange ? chart.dateRange.relative : JSON.stringify(chart.dateRange),
        })}`,
      ),

    // Data plane (configurations; writes need a member or above).
    listConfigurations: (target: DataTarget, filter: { name?: string; env?: string } = {}) =>
      dp<ConfigurationWire[]>(target, 'GET', `/v1/configurations${query(filter)}`),
    createConfiguration: (target: DataTarget, body: ConfigurationWrite) =>
      dp<{ acknowledged?: boolean; insertedId?: string; version?: number }>(
        target,
        'POST',
        '/v1/configurations',
        body,
      ),
    updateConfiguration: (target: DataTarget, id: string, body: ConfigurationWrite) =>
      dp<{ acknowledged?: boolean; version?: number }>(target, 'PUT', `/v1/configurations/${enc(id)}`, body),

    // Data plane (metrics: reads from the synced copy, writes forwarded to the control plane).
    listMetrics: (target: DataTarget) => dp<MetricWire[]>(target, 'GET', '/v1/metrics'),
    createMetric: (target: DataTarget, body: MetricWrite) =>
      dp<{ inserted?: boolean; metric_id: string; version: number }>(target, 'POST', '/v1/metrics', body),
    updateMetric: (target: DataTarget, id: string, body: Partial<MetricWrite>) =>
      dp<{ updated: boolean; version: number }>(target, 'PUT', '/v1/metrics', { ...body, metric_id: id }),
    deleteMetric: (target: DataTarget, id: string) =>
      dp<{ deleted: boolean }>(target, 'DELETE', `/v1/metrics${query({ metric_id: id })}`),
    metricVersions: (target: DataTarget, id: string) =>
      dp<MetricWire[]>(target, 'GET', `/v1/metrics/${enc(id)}/versions`),
    runMetric: (target: DataTarget, body: RunMetricRequest) =>
      dp<RunMetricAnswer>(target, 'POST', '/v1/metrics/run_metric', body),
    estimateBackfill: (target: DataTarget, body: BackfillRequest) =>
      dp<BackfillEstimate>(target, 'POST', '/v1/backfills/estimate', body),
    startBackfill: (target: DataTarget, body: BackfillRequest) =>
      dp<{ backfill_id: string; evaluator_version: number; estimate: BackfillEstimate }>(
        target,
        'POST',
        '/v1/backfills',
        body,
      ),
    backfill: (target: DataTarget, id: string) =>
      dp<BackfillState>(target, 'GET', `/v1/backfills/${enc(id)}`),
    redriveBackfill: (target: DataTarget, id: string) =>
      dp<BackfillState>(target, 'POST', `/v1/backfills/${enc(id)}/redrive`, {}),
    /** A reviewer's score of a human metric: its value on the event and a row of the scores table. */
    recordReview: (target: DataTarget, metricId: string, body: ReviewRequest) =>
      dp<{ score: ScoreHistoryEntry }>(target, 'POST', `/v1/metrics/${enc(metricId)}/reviews`, body),

    // Data plane (the LLM proxy, OpenAI's chat completions; the answer is read as it streams).
    openChatCompletion: (target: DataTarget, body: unknown, signal?: AbortSignal) =>
      dpStream(target, '/v1/chat/completions', body, signal),

    // Data plane (datasets, datapoints and experiment runs, docs/datasets.md; writes need a member or above).
    ...experimentCalls(dp, query),

    // Data plane (provider keys; admin scope).
    listProviderKeys: (target: DataTarget) =>
      dp<{ provider_keys: ProviderKeyView[] }>(target, 'GET', '/v1/provider-keys'),
    setProviderKey: (target: DataTarget, provider: ProviderId, body: SetProviderKeyRequest) =>
      dp<ProviderKeyView>(target, 'PUT', `/v1/provider-keys/${enc(provider)}`, body),
    deleteProviderKey: (target: DataTarget, provider: ProviderId, scope: ProviderKeyScope) =>
      dp<{ success: true; deleted: ProviderId; scope: ProviderKeyScope }>(
        target,
        'DELETE',
        `/v1/provider-keys/${enc(provider)}${query({ scope })}`,
      ),
    providerKeyAudit: (target: DataTarget, limit = 20) =>
      dp<{ entries: ProviderKeyAuditEntry[] }>(
        target,
        'GET',
        `/v1/provider-keys/audit${query({ limit: String(limit) })}`,
      ),
  };
}

interface CachedToken {
  promise: Promise<DataPlaneToken>;
  /** Set once the token arrived. */
  expiresAtMs?: number;
}

/** Which data plane and project a read goes to. */
export interface DataTarget {
  dataPlaneId: string;
  projectId: string;
}
