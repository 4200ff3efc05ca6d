/**
 * The shapes the console reads. Each is written by the platform (config.json by the control plane's
 * static server, the rest by the data plane's read API, docs/read-api.md); the console only reads them.
 */

/** `GET /config.json`, served beside the app: where the APIs are and how to sign in. */
export interface ConsoleConfig {
  /** Base URL of the control-plane API and token service (locally the app's own origin). */
  controlPlaneUrl: string;
  auth: LocalAuth | CognitoAuth;
  /** Data planes a token may be asked for (`POST /v1/tokens {data_plane_id, project_id}`). */
  dataPlanes: DataPlaneEntry[];
}

/** The local identity provider: `POST {controlPlaneUrl}/v1/auth/sign-in {email, password}`. */
export interface LocalAuth {
  mode: 'local';
}

/** Cognito's managed login, authorization code with PKCE; the ID token is the bearer. */
export interface CognitoAuth {
  mode: 'cognito';
  /** `https://<domain>.auth.<region>.amazoncognito.com` */
  domain: string;
  clientId: string;
  /** Where Cognito sends the browser back: `<app origin>/auth/callback`. */
  redirectUri: string;
  /** Where Cognito sends the browser after sign-out: the app's origin. */
  logoutUri: string;
}

export interface DataPlaneEntry {
  id: string;
  /** Base URL of its HTTP API (read API and ingestion). */
  url: string;
  /** The OTLP/HTTP traces endpoint to show in empty states (`<url>/v1/traces`). */
  otlpEndpoint: string;
  /** The OTLP/gRPC endpoint when the plane has one. */
  grpcEndpoint?: string;
  /**
   * Base URL of the plane's LLM proxy (`POST <it>/v1/chat/completions`) when it is not `url`: on
   * AWS the proxy is a Lambda function URL of its own (it streams, which API Gateway cannot).
   */
  llmProxyUrl?: string;
}

export type EventType = 'session' | 'model' | 'tool' | 'chain';

/** One event as the read API returns it (docs/read-api.md, "Events as returned"). */
export interface WaggleEvent {
  project: string;
  project_id?: string;
  event_id: string;
  session_id: string;
  parent_id?: string;
  children_ids?: string[];
  event_type: EventType;
  event_name: string;
  source?: string;
  start_time: number;
  end_time: number;
  duration: number;
  model?: string | null;
  provider?: string | null;
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  cost?: number | null;
  error?: string | null;
  config?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  feedback?: Record<string, unknown>;
  user_properties?: Record<string, unknown>;
  trace_id?: string | null;
  span_id?: string | null;
}

/** `GET /v1/sessions/{id}`: the session event with every other event nested under `children`. */
export interface SessionNode extends WaggleEvent {
  children: SessionNode[];
}

/** A HoneyHive SingleFilter (docs/read-api.md, "Filters"). */
export interface EventFilter {
  field: string;
  operator: string;
  value?: string | number | boolean;
  type?: 'string' | 'number' | 'boolean' | 'datetime';
}

/** `POST /v1/events/export` answer. */
export interface ExportAnswer {
  events: WaggleEvent[];
  totalEvents: number;
  continueWith?: { page: number; limit: number };
}

/** `GET /v1/events/chart` point. */
export interface ChartPoint {
  bucket: number;
  group?: string | null;
  other?: boolean;
  value: number | null;
  count: number;
}

/**
 * `POST /v1/sessions/search` (a Waggle read; HoneyHive's spec has no session list): one row per
 * session with its rollups over its visible events. The platform's own shapes, imported type-only
 * from a module that imports nothing (no platform code enters the bundle).
 */
export type {
  SessionSearchResult as SessionSearchAnswer,
  SessionSummary,
} from '../../../lambdas/domain/read-api/wire-types';

/** `GET /v1/events/schema`: the fields seen per event type and name (HoneyHive's event_schemas). */
export interface EventSchemaAnswer {
  fields: EventSchemaField[];
}

export interface EventSchemaField {
  event_type: EventType;
  event_name: string;
  /** A filterable field: a column or a dotted path such as `metadata.customer`. */
  field: string;
  field_type: 'string' | 'number' | 'boolean' | 'object' | 'array';
  occurrences: number;
  last_seen: number;
}
