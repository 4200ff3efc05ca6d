/**
 * `GET /v1/events/schema?event_type=model&event_name=chat` -> EventSchemaQuery. Both optional;
 * `project`, if sent, must name the key's project. Any other parameter is a 400.
 */
import type { Principal } from '../auth/principal';
import { EVENT_TYPES } from '../events/event';
import { invalidField } from '../honeyhive/fields';
import type { EventSchemaQuery } from '../query/types';
import { MAX_SCHEMA_EVENT_NAME_CHARS } from '../store/event-schema';
import { assertKeyProject } from './project-scope';
import type { QueryParameters } from './query-string';
import { parseChoice } from './session-search-request';

const PARAMETERS = new Set(['project', 'event_type', 'event_name']);

export function parseEventSchemaQuery(params: QueryParameters, principal: Principal): EventSchemaQuery {
  const unknown = Object.keys(params).filter((name) => !PARAMETERS.has(name));
  if (unknown.length > 0)
    throw invalidField(
      JSON.stringify(unknown[0]).slice(0, 80),
      'is not a parameter of this route; use: event_type, event_name',
    );
  assertKeyProject(params.project, principal);
  const type = params.event_type;
  // parseChoice answers its fallback only for an absent value, which this one is not.
  const eventType =
    type === undefined || type === '' ? undefined : parseChoice(type, 'event_type', EVENT_TYPES, 'session');
  const name = params.event_name;
  if (name !== undefined && name !== '') {
    if (typeof name !== 'string') throw invalidField('event_name', 'must be given once, as text');
    if (name.length > MAX_SCHEMA_EVENT_NAME_CHARS)
      throw invalidField('event_name', `is longer than ${MAX_SCHEMA_EVENT_NAME_CHARS} characters`);
  }
  return {
    ...(eventType === undefined ? {} : { eventType }),
    ...(typeof name === 'string' && name !== '' ? { eventName: name } : {}),
  };
}
