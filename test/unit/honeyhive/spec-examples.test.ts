/**
 * The hand-written contract fixtures against an independent oracle: the honeyhive client's (1.0.42)
 * wire schemas. Reading a fixture in and writing it back out must give the fixture unchanged, so every
 * key is one the client knows and every value has the type it expects.
 */
import {
  CreateEventRequest$inboundSchema,
  CreateEventRequest$outboundSchema,
} from 'honeyhive/models/components/createeventrequest.js';
import {
  CreateEventResponseBody$inboundSchema,
  CreateEventResponseBody$outboundSchema,
} from 'honeyhive/models/operations/createevent.js';
import {
  CreateEventBatchResponseBody$inboundSchema,
  CreateEventBatchResponseBody$outboundSchema,
} from 'honeyhive/models/operations/createeventbatch.js';
import {
  UpdateEventRequestBody$inboundSchema,
  UpdateEventRequestBody$outboundSchema,
} from 'honeyhive/models/operations/updateevent.js';
import { describe, expect, it } from 'vitest';
import {
  BATCH_PARTIAL_RESPONSE_EXAMPLE,
  BATCH_RESPONSE_EXAMPLE,
  CREATE_EVENT_EXAMPLE,
  CREATE_EVENT_RESPONSE_EXAMPLE,
  LEGACY_EVENT_KEYS,
  UPDATE_EVENT_EXAMPLE,
} from './spec-examples';

/** The wire form after the client parsed it (snake_case -> its camelCase model) and wrote it back. */
interface Schema {
  parse(value: unknown): unknown;
}

function throughClient(inbound: Schema, outbound: Schema, wire: unknown): unknown {
  return outbound.parse(inbound.parse(wire));
}

describe('contract fixtures through the honeyhive client schemas', () => {
  it('POST /events example: its event (sent as JSON text) is a CreateEventRequest', () => {
    const event = JSON.parse(CREATE_EVENT_EXAMPLE.event);
    // The example names no project; the client requires one, as Waggle takes it from the key.
    const withProject = { project: 'default', ...event };
    expect(
      throughClient(CreateEventRequest$inboundSchema, CreateEventRequest$outboundSchema, withProject),
    ).toEqual(withProject);
    expect(() => CreateEventRequest$inboundSchema.parse(event)).toThrow();
  });

  it('POST /events and /events/batch answers', () => {
    expect(
      throughClient(
        CreateEventResponseBody$inboundSchema,
        CreateEventResponseBody$outboundSchema,
        CREATE_EVENT_RESPONSE_EXAMPLE,
      ),
    ).toEqual(CREATE_EVENT_RESPONSE_EXAMPLE);
    expect(
      throughClient(
        CreateEventBatchResponseBody$inboundSchema,
        CreateEventBatchResponseBody$outboundSchema,
        BATCH_RESPONSE_EXAMPLE,
      ),
    ).toEqual(BATCH_RESPONSE_EXAMPLE);
    // The partial answer's `errors` is newer than the client, which reads the rest and ignores it.
    const { errors, ...known } = BATCH_PARTIAL_RESPONSE_EXAMPLE;
    expect(errors).toHaveLength(2);
    expect(
      throughClient(
        CreateEventBatchResponseBody$inboundSchema,
        CreateEventBatchResponseBody$outboundSchema,
        BATCH_PARTIAL_RESPONSE_EXAMPLE,
      ),
    ).toEqual(known);
  });

  it('PUT /events example is an UpdateEventRequestBody', () => {
    expect(
      throughClient(
        UpdateEventRequestBody$inboundSchema,
        UpdateEventRequestBody$outboundSchema,
        UPDATE_EVENT_EXAMPLE,
      ),
    ).toEqual(UPDATE_EVENT_EXAMPLE);
  });

  it('the batch event keys are the client CreateEventRequest keys plus project_id', () => {
    const typed: Record<string, unknown> = {
      project: 'p',
      project_id: 'p-id',
      source: 's',
      event_name: 'n',
      event_type: 'tool',
      event_id: 'e',
      session_id: 's-1',
      parent_id: 'p-1',
      children_ids: [],
      config: {},
      inputs: {},
      outputs: {},
      error: 'x',
      start_time: 1,
      end_time: 2,
      duration: 1,
      metadata: {},
      feedback: {},
      metrics: {},
      user_properties: {},
    };
    expect(Object.keys(typed)).toEqual(LEGACY_EVENT_KEYS);
    const kept = throughClient(CreateEventRequest$inboundSchema, CreateEventRequest$outboundSchema, typed);
    expect(Object.keys(kept as object).sort()).toEqual(
      LEGACY_EVENT_KEYS.filter((key) => key !== 'project_id').sort(),
    );
  });
});
