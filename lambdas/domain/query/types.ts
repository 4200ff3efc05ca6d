/**
 * The read side's request and result types (HoneyHive `/v1/events/export`, `GET /events`,
 * `/v1/sessions/{id}`, `/v1/events/{id}`, `/v1/events/chart`) and the service that answers them.
 * The HTTP layer parses requests into these shapes; the query layer compiles them to SQL.
 */
import type { ScoreRecord } from '../evaluators/evaluator';
import type { Tenant, WaggleEvent } from '../events/event';
import type { SessionSearchResult, SessionSortField, SortOrder } from '../read-api/wire-types';

export const FILTER_OPERATORS = [
  'exists',
  'not exists',
  'is',
  'is not',
  'contains',
  'not contains',
  'greater than',
  'less than',
  'after',
  'before',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export const FIELD_TYPES = ['string', 'number', 'boolean', 'datetime'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** One HoneyHive SingleFilter. `type` defaults to the column's own type (string for nested JSON). */
export interface EventFilter {
  field: string;
  operator: FilterOperator;
  value?: string | number | boolean | null;
  type?: FieldType;
}

/** Inclusive range on start_time, epoch milliseconds. */
export interface DateRange {
  from: number;
  to: number;
}

export const DEFAULT_EXPORT_LIMIT = 1000;
export const MAX_EXPORT_LIMIT = 7500;

/** Columns an export may be sorted by (the console's event table); default start_time. */
export const EXPORT_SORT_FIELDS = [
  'start_time',
  'end_time',
  'duration',
  'cost',
  'total_tokens',
  'prompt_tokens',
  'completion_tokens',
  'event_name',
  'model',
  'event_type',
] as const;
export type ExportSortField = (typeof EXPORT_SORT_FIELDS)[number];

export interface ExportQuery {
  filters: EventFilter[];
  dateRange?: DateRange;
  /** Top-level field names to return; all fields when absent or empty. */
  projections?: string[];
  /** 1..7500 (default 1000). */
  limit: number;
  /** 1-based page number (default 1). */
  page: number;
  /** A Waggle extension (HoneyHive clients never send it): the sort column, default start_time. */
  sortBy?: ExportSortField;
  /** Default desc. Ties are always ordered by event_id, so pages are stable. */
  sortOrder?: SortOrder;
}

/** An event as read back: the model plus the keys of full inputs/outputs kept outside the row. */
export type StoredEvent = WaggleEvent & { inputs_ref?: string | null; outputs_ref?: string | null };

/** Session aggregates as HoneyHive documents them (GetSessionResponse.metadata). */
export interface SessionRollup {
  num_events: number;
  num_model_events: number;
  has_feedback: boolean;
  cost: number;
  total_tokens: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** Epoch ms: min start_time over the session's events. */
  start_time: number;
  /** Epoch ms: max end_time over the session's events. */
  end_time: number;
  /** end_time - start_time, milliseconds. */
  duration: number;
}

export interface SessionNode extends StoredEvent {
  children: SessionNode[];
}

export const CHART_AGGREGATIONS = [
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'p50',
  'p75',
  'p90',
  'p95',
  'p99',
] as const;
export type ChartAggregation = (typeof CHART_AGGREGATIONS)[number];

export const CHART_BUCKETS = ['minute', 'hour', 'day', 'week', 'month'] as const;
export type ChartBucket = (typeof CHART_BUCKETS)[number];

/**
 * Most time buckets a chart answers: 90 days of hours (2160) or two days of minutes (2880) fit, and
 * no chart is drawn wider. A dateRange that spans more is refused before it runs; without a range,
 * data that spans more is refused once the engine has found so (the answer is never sent).
 */
export const MAX_CHART_BUCKETS = 3_000;
/**
 * Most groups a chart answers; the rest fold into one `other` group. A legend of more is unreadable,
 * and a group-by on an id field would otherwise answer one series per event (168 MB once).
 */
export const MAX_CHART_GROUPS = 50;
/** The `group` of the folded points (which also carry `other: true`, since a real value may look the same). */
export const OTHER_CHART_GROUP = '__other__';

/** GET /v1/events/chart, after the HTTP layer normalised aliases (e.g. `1h` -> hour, `average` -> avg). */
export interface ChartQuery {
  /**
   * Numeric field to aggregate: duration, cost, prompt_tokens, completion_tokens, total_tokens,
   * or a nested `metrics.*` / `metadata.*` path. Ignored for aggregation `count`.
   */
  metric: string;
  aggregation: ChartAggregation;
  bucket: ChartBucket;
  /** An allow-listed field (top-level column or nested path) to split the series by. */
  groupBy?: string;
  filters: EventFilter[];
  dateRange?: DateRange;
}

export interface ChartPoint {
  /** Start of the time bucket, epoch ms (UTC). */
  bucket: number;
  /**
   * Present when the query has a groupBy: the group's value as text (null when the field is missing),
   * or OTHER_CHART_GROUP for the groups past the MAX_CHART_GROUPS with the most events.
   */
  group?: string | null;
  /** Present (true) only on the points of the folded group: its value aggregates all of those groups' events. */
  other?: true;
  /** The aggregate; null when no event in the bucket had a numeric value. */
  value: number | null;
  /** Events in the bucket (and group). */
  count: number;
}

/** GetEventsChartResponse: `events` are the chart points ordered by bucket then group. */
export interface ChartResult {
  events: ChartPoint[];
  totalEvents: number;
}

export interface ExportResult {
  events: Partial<StoredEvent>[];
  totalEvents: number;
}

export interface SessionResult {
  root: SessionNode;
  rollup: SessionRollup;
}

// The session-search wire shapes are shared with the console (type-only there): see wire-types.ts.
export {
  SESSION_SORT_FIELDS,
  type SessionSearchResult,
  type SessionSortField,
  type SessionSummary,
  SORT_ORDERS,
  type SortOrder,
} from '../read-api/wire-types';

export const DEFAULT_SESSION_SEARCH_LIMIT = 50;
/** A page of sessions a person scrolls; each row carries the session event's metadata and user_properties. */
export const MAX_SESSION_SEARCH_LIMIT = 500;

/**
 * `POST /v1/sessions/search` (a Waggle read): sessions whose session event matches the filters and
 * whose start (the earliest start_time of its events) lies in the range, with rollups over their
 * visible events.
 */
export interface SessionSearchQuery {
  /** Applied to the session event (a session without one matches only filters a missing value meets). */
  filters: EventFilter[];
  /** On the session's start; absent: the default read window. */
  dateRange?: DateRange;
  sortBy: SessionSortField;
  sortOrder: SortOrder;
  /** 1..500 (default 50). */
  limit: number;
  /** 1-based. */
  page: number;
}

/** GET /v1/events/schema: optionally one event type and/or one event name. */
export interface EventSchemaQuery {
  eventType?: string;
  eventName?: string;
}

/** A field seen in the project's events (rolled up over its event-schema files). */
export interface EventSchemaField {
  event_type: string;
  event_name: string;
  /** A field a filter accepts: a column, or a dotted path such as `metadata.customer`. */
  field: string;
  field_type: 'string' | 'number' | 'boolean' | 'object' | 'array';
  occurrences: number;
  /** Epoch ms: the latest start_time of an event with the field. */
  last_seen: number;
}

export interface EventSchemaResult {
  fields: EventSchemaField[];
}

/** What bounds one read as a whole; every statement it runs gets it. */
export interface ReadContext {
  /** Epoch ms by which the read must be done (deadline.ts); absent, each engine's own timeout. */
  deadline?: number;
}

/** One evaluation of an event, as GET /v1/events/{id}/scores lists it (store/scores.ts): a score without its tenant and event. */
export type ScoreHistoryEntry = Omit<
  ScoreRecord,
  'org_id' | 'workspace_id' | 'project_id' | 'event_id' | 'session_id' | 'event_start_time'
>;

export interface EventQueryService {
  exportEvents(tenant: Tenant, query: ExportQuery, context?: ReadContext): Promise<ExportResult>;
  getEvent(tenant: Tenant, eventId: string, context?: ReadContext): Promise<StoredEvent | undefined>;
  /** The session tree and its rollups; undefined when the session has no visible event. */
  getSession(tenant: Tenant, sessionId: string, context?: ReadContext): Promise<SessionResult | undefined>;
  chart(tenant: Tenant, query: ChartQuery, context?: ReadContext): Promise<ChartResult>;
  /** Sessions with their rollups, filtered on the session event, sorted and paged. */
  searchSessions(
    tenant: Tenant,
    query: SessionSearchQuery,
    context?: ReadContext,
  ): Promise<SessionSearchResult>;
  /** The fields seen in the project's events, per event type and name. */
  eventSchema(tenant: Tenant, query: EventSchemaQuery, context?: ReadContext): Promise<EventSchemaResult>;
  /** Newest stored version of each event id (for the writer applying updates). */
  lookupLatest(tenant: Tenant, eventIds: string[], context?: ReadContext): Promise<Map<string, WaggleEvent>>;
  /** Every evaluation of the event (it is found first: undefined when it is not, or is deleted), newest first. */
  scoreHistory(
    tenant: Tenant,
    eventId: string,
    context?: ReadContext,
  ): Promise<ScoreHistoryEntry[] | undefined>;
}
