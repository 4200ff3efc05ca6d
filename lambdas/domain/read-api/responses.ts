/**
 * Query results -> the spec's response bodies: GetEventsLegacyResponse / GetEventsResponse
 * (`{ events, totalEvents }`, each event with its `project` name), GetSessionResponse (the root
 * event with `children` nested and the rollups inside `metadata`), GetEventsChartResponse and the
 * deletion answers. Storage bookkeeping (`deleted`, `inputs_ref`, `outputs_ref`) never leaves.
 */
import type { Principal } from '../auth/principal';
import type { ChartResult, ExportResult, SessionNode, SessionResult, StoredEvent } from '../query/types';

export type ApiEvent = Record<string, unknown>;

export interface EventsResponse {
  events: ApiEvent[];
  totalEvents: number;
}

export interface DeletionResponse {
  success: true;
  deleted: string;
}

const INTERNAL_FIELDS = new Set(['deleted', 'inputs_ref', 'outputs_ref', 'children']);
/** String-typed in the spec's event schemas, so absent rather than null when unset. */
const OMIT_WHEN_NULL = new Set(['parent_id']);
const OMIT_WHEN_NULL_IN_TREE = new Set(['parent_id', 'error']);

/** One event as the export routes return it: the spec requires the project name on each. */
export function toApiEvent(event: Partial<StoredEvent>, principal: Principal): ApiEvent {
  return { project: principal.projectName, ...publicFields(event, OMIT_WHEN_NULL) };
}

export function eventsResponse(result: ExportResult, principal: Principal): EventsResponse {
  return {
    events: result.events.map((event) => toApiEvent(event, principal)),
    totalEvents: result.totalEvents,
  };
}

/** GetSessionResponse: the root's own metadata with the rollups over it, and the rollup's times. */
export function sessionResponse(result: SessionResult, principal: Principal): ApiEvent {
  const { root, rollup } = result;
  const node = toTreeNode(root, principal);
  return {
    ...node,
    start_time: rollup.start_time,
    end_time: rollup.end_time,
    duration: rollup.duration,
    metadata: {
      ...root.metadata,
      num_events: rollup.num_events,
      num_model_events: rollup.num_model_events,
      has_feedback: rollup.has_feedback,
      cost: rollup.cost,
      total_tokens: rollup.total_tokens,
      prompt_tokens: rollup.prompt_tokens,
      completion_tokens: rollup.completion_tokens,
    },
  };
}

/** An event that is not a session, in the same node shape (GET /v1/events/{id} given an event id). */
export function eventNodeResponse(event: StoredEvent, principal: Principal): ApiEvent {
  return toTreeNode({ ...event, children: [] }, principal);
}

export function chartResponse(result: ChartResult): EventsResponse {
  return { events: result.events.map((point) => ({ ...point })), totalEvents: result.totalEvents };
}

export function deletionResponse(id: string): DeletionResponse {
  return { success: true, deleted: id };
}

/**
 * The tree is walked with an explicit stack: a session's parent chain is client data, and a deep
 * one must not exhaust the call stack here.
 */
function toTreeNode(root: SessionNode, principal: Principal): ApiEvent {
  const shaped: ApiEvent = { project: principal.projectName, ...publicFields(root, OMIT_WHEN_NULL_IN_TREE) };
  const pending: Array<{ node: SessionNode; out: ApiEvent }> = [{ node: root, out: shaped }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const children: ApiEvent[] = [];
    for (const child of item.node.children ?? []) {
      const out: ApiEvent = {
        project: principal.projectName,
        ...publicFields(child, OMIT_WHEN_NULL_IN_TREE),
      };
      children.push(out);
      pending.push({ node: child, out });
    }
    item.out.children = children;
  }
  return shaped;
}

function publicFields(event: Partial<StoredEvent>, omitWhenNull: ReadonlySet<string>): ApiEvent {
  const out: ApiEvent = {};
  for (const [key, value] of Object.entries(event)) {
    if (INTERNAL_FIELDS.has(key) || (value === null && omitWhenNull.has(key))) continue;
    out[key] = value;
  }
  return out;
}
