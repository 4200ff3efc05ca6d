/**
 * The session-search shapes of the read API (`POST /v1/sessions/search`, docs/read-api.md,
 * "Session search"), as the platform writes them and the console reads them. The console imports
 * its types and SESSION_SORT_FIELDS (its session list's orders), so this file imports nothing: only
 * that list enters the console's bundle.
 */

/** How `POST /v1/sessions/search` may order sessions (each column of a SessionSummary a list sorts by). */
export const SESSION_SORT_FIELDS = [
  'start_time',
  'duration',
  'num_events',
  'cost',
  'total_tokens',
  'errors',
  'event_name',
] as const;
export type SessionSortField = (typeof SESSION_SORT_FIELDS)[number];

export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** One session of a search, with its rollups over its visible events. */
export interface SessionSummary {
  session_id: string;
  /** The session event's name; `session` when the session has no session event (as its synthetic root). */
  event_name: string;
  source?: string;
  start_time: number;
  end_time: number;
  duration: number;
  /** Events of the session other than the session event itself. */
  num_events: number;
  cost: number;
  total_tokens: number;
  /** Events of the session (the session event included) with an error. */
  errors: number;
  user_properties?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export interface SessionSearchResult {
  sessions: SessionSummary[];
  totalSessions: number;
}
