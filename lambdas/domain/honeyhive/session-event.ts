import type { JsonObject, WaggleEvent } from '../events/event';
import { buildEvent } from './build-event';
import { optionalString } from './fields';
import type { IntakeContext } from './intake-context';
import type { EventTiming } from './timing';

interface SessionEventOptions {
  /** The session id to use instead of (or to check against) the properties' own `session_id`. */
  sessionId?: string;
  /** Start and end to use when the properties give no timing (a batch session spans its events). */
  span?: EventTiming;
}

/**
 * Builds the 'session' event from HoneyHive session properties (`/session/start`'s `session`, a batch's
 * `session_properties`): session_id becomes the event id and session_name the event name, which defaults
 * to the project name as the HoneyHive SDKs do.
 */
export function buildSessionEvent(
  properties: JsonObject,
  parent: string,
  ctx: IntakeContext,
  options: SessionEventOptions = {},
): WaggleEvent {
  const sessionName = optionalString(properties, 'session_name', parent);
  const hasTiming = ['start_time', 'end_time', 'duration'].some((key) => properties[key] != null);
  const raw: JsonObject = {
    ...(options.span !== undefined && !hasTiming ? options.span : {}),
    ...properties,
    event_type: 'session',
    event_name: sessionName ?? optionalString(properties, 'event_name', parent) ?? ctx.projectName,
  };
  return buildEvent(
    raw,
    parent,
    ctx,
    options.sessionId === undefined ? {} : { sessionId: options.sessionId },
  );
}

/** PostSessionStartResponse: the full session event as stored. */
export function sessionStartResponse(session: WaggleEvent): JsonObject {
  return {
    event_id: session.event_id,
    session_id: session.session_id,
    parent_id: session.parent_id,
    children_ids: session.children_ids,
    event_type: session.event_type,
    event_name: session.event_name,
    config: session.config,
    inputs: session.inputs,
    outputs: session.outputs,
    error: session.error,
    source: session.source,
    duration: session.duration,
    user_properties: session.user_properties,
    metrics: session.metrics,
    feedback: session.feedback,
    metadata: session.metadata,
    org_id: session.org_id,
    workspace_id: session.workspace_id,
    project_id: session.project_id,
    start_time: session.start_time,
    end_time: session.end_time,
  };
}
