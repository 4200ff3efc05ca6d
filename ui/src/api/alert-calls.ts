/**
 * The API client's calls of alerts (docs/alerts.md), on the control plane under
 * /v1/projects/{project_id}: notification channels, the notification log and monitors. Made through
 * the client's control-plane request (`cp`: the ID token, ApiError); spread into the client by
 * createApiClient. Channel and log shapes are the platform's own (type-only imports); the monitor
 * aggregations are the platform's list itself (rollup.ts, a small module with no AWS or Node imports).
 */
import type { ChannelType, channelView, WebhookFormat } from '../../../lambdas/domain/alerts/channel';
import { AGGREGATIONS, type Aggregation } from '../../../lambdas/domain/alerts/monitors/rollup';
import type { MonitorState, Severity } from '../../../lambdas/domain/alerts/notification';
import type { NotificationLogPage } from '../../../lambdas/domain/alerts/notification-log';

export type { NotificationLogEntry } from '../../../lambdas/domain/alerts/notification-log';
export type { ChannelType, MonitorState, NotificationLogPage, Severity, WebhookFormat };

/** Short platform lists, spelled here (checked against the platform's types). */
export const CHANNEL_TYPES = ['webhook', 'slack', 'email'] as const satisfies readonly ChannelType[];
export const SEVERITIES = ['critical', 'warning', 'resolution'] as const satisfies readonly Severity[];

/** A channel as GET …/channels lists it: no secret, a Slack URL cut. */
export type ChannelView = ReturnType<typeof channelView>;

export interface ChannelCreate {
  type: ChannelType;
  name: string;
  url?: string;
  email?: string;
  severities?: Severity[];
}

/** POST …/channels and …/rotate-secret: `secret` is shown here only (null for Slack and email). */
export interface IssuedChannel {
  id: string;
  secret: string | null;
  channel: ChannelView;
}

/** The aggregations a monitor takes: the platform's own list (the chart read calls the median p50). */
export const MONITOR_AGGREGATIONS = AGGREGATIONS;
export type MonitorAggregation = Aggregation;

/** A filter a monitor takes: what per-minute rollups answer. */
export interface MonitorFilter {
  field: string;
  operator: string;
  value?: string;
}

/** The monitor body of POST and PATCH …/monitors (the API's contract). */
export interface MonitorWrite {
  name: string;
  event_type: string;
  filters: MonitorFilter[];
  aggregation: MonitorAggregation;
  /** `duration`, `cost`, `tokens`, `errors` or `metrics.<name>`. */
  field: string;
  window_minutes: number;
  warning: number | null;
  critical: number | null;
  channels: string[];
}

/** A monitor as listed: its definition, id and (when evaluated) its current state. */
export interface MonitorView extends MonitorWrite {
  id: string;
  state?: MonitorState;
  paused?: boolean;
  condition?: string;
  created_at?: string;
  updated_at?: string;
  /** Anything else the API adds is kept, not relied on. */
  [extra: string]: unknown;
}

/** One state change of a monitor (GET …/monitors/{id}/history). */
export interface MonitorChange {
  state: MonitorState;
  previous_state?: MonitorState;
  value?: number | null;
  threshold?: number | null;
  /** When it changed: epoch ms (the data plane's history) or ISO 8601. */
  at?: number | string;
  notification_id?: string | null;
}

type ControlPlaneCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;
type Query = (params: Record<string, string | undefined>) => string;

/** A list answer as an array, whether the API sends the array or wraps it (`{monitors: […]}`). */
function listOf<T>(answer: unknown, key: string): T[] {
  if (Array.isArray(answer)) return answer as T[];
  const inner = (answer as Record<string, unknown> | null)?.[key];
  return Array.isArray(inner) ? (inner as T[]) : [];
}

export function alertCalls(cp: ControlPlaneCall, query: Query) {
  const enc = encodeURIComponent;
  const project = (projectId: string) => `/v1/projects/${enc(projectId)}`;
  return {
    listChannels: (projectId: string) => cp<ChannelView[]>('GET', `${project(projectId)}/channels`),
    createChannel: (projectId: string, body: ChannelCreate) =>
      cp<IssuedChannel>('POST', `${project(projectId)}/channels`, body),
    deleteChannel: (projectId: string, id: string) =>
      cp<{ success: true }>('DELETE', `${project(projectId)}/channels/${enc(id)}`),
    rotateChannelSecret: (projectId: string, id: string) =>
      cp<IssuedChannel>('POST', `${project(projectId)}/channels/${enc(id)}/rotate-secret`),
    testChannel: (projectId: string, id: string) =>
      cp<{ queued: true; notification_id: string }>('POST', `${project(projectId)}/channels/${enc(id)}/test`),
    notificationLog: (projectId: string, page: { limit?: number; cursor?: string } = {}) =>
      cp<NotificationLogPage>(
        'GET',
        `${project(projectId)}/notifications${query({
          limit: page.limit === undefined ? undefined : String(page.limit),
          cursor: page.cursor,
        })}`,
      ),
    listMonitors: async (projectId: string) =>
      listOf<MonitorView>(await cp<unknown>('GET', `${project(projectId)}/monitors`), 'monitors'),
    createMonitor: (projectId: string, body: MonitorWrite) =>
      cp<MonitorView | { id: string }>('POST', `${project(projectId)}/monitors`, body),
    updateMonitor: (projectId: string, id: string, body: Partial<MonitorWrite>) =>
      cp<MonitorView>('PATCH', `${project(projectId)}/monitors/${enc(id)}`, body),
    deleteMonitor: (projectId: string, id: string) =>
      cp<unknown>('DELETE', `${project(projectId)}/monitors/${enc(id)}`),
    monitorHistory: async (projectId: string, id: string) =>
      listOf<MonitorChange>(
        await cp<unknown>('GET', `${project(projectId)}/monitors/${enc(id)}/history`),
        'history',
      ),
  };
}
