import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../lambdas/domain/auth/principal';
import type { SessionNode, SessionResult, StoredEvent } from '../../../lambdas/domain/query/types';
import {
  chartResponse,
  deletionResponse,
  eventNodeResponse,
  eventsResponse,
  sessionResponse,
} from '../../../lambdas/domain/read-api/responses';
import { sharedReference } from '../../support/shared-reference';

/**
 * Just enough of the OpenAPI YAML to check shapes: a schema's `required` lists and its properties'
 * declared types, found by indentation (no YAML parser is installed, and the file is regular).
 */
class SpecSchemas {
  constructor(private readonly lines: string[]) {}

  private block(name: string): string[] {
    const start = this.lines.indexOf(`    ${name}:`);
    if (start === -1) throw new Error(`schema ${name} not found`);
    const end = this.lines.findIndex((line, index) => index > start && /^ {4}\S/.test(line));
    return this.lines.slice(start + 1, end);
  }

  /** Names listed under `required:` at the given indentation within the schema. */
  required(name: string, indent: number): string[] {
    const block = this.block(name);
    const names: string[] = [];
    for (const [index, line] of block.entries()) {
      if (line !== `${' '.repeat(indent)}required:`) continue;
      for (const item of block.slice(index + 1)) {
        const match = new RegExp(`^ {${indent + 2}}- (\\S+)$`).exec(item);
        if (!match) break;
        names.push(match[1] as string);
      }
    }
    return names;
  }

  /** Declared JSON types of the properties at `indent` (property names) within the schema. */
  propertyTypes(name: string, indent: number): Map<string, string[]> {
    const block = this.block(name);
    const types = new Map<string, string[]>();
    for (const [index, line] of block.entries()) {
      const property = new RegExp(`^ {${indent}}([\\w$]+):`).exec(line)?.[1];
      if (!property) continue;
      const typeLine = block[index + 1] ?? '';
      const single = new RegExp(`^ {${indent + 2}}type: '?([\\w]+)'?$`).exec(typeLine)?.[1];
      if (single) types.set(property, [single]);
      else if (typeLine === `${' '.repeat(indent + 2)}type:`) {
        const listed = block
          .slice(index + 2)
          .map((item) => new RegExp(`^ {${indent + 4}}- '?(\\w+)'?$`).exec(item)?.[1])
          .filter((_, i, all) => all.slice(0, i + 1).every((entry) => entry !== undefined));
        types.set(property, listed as string[]);
      }
    }
    return types;
  }
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Checks required keys and the declared types of whatever keys are present. */
function expectConforms(
  value: Record<string, unknown>,
  required: string[],
  types: Map<string, string[]>,
): void {
  expect(required.length).toBeGreaterThan(0);
  for (const name of required) expect(value, `required ${name}`).toHaveProperty(name);
  for (const [name, declared] of types) {
    if (!(name in value)) continue;
    expect(declared, `type of ${name}`).toContain(jsonType(value[name]));
  }
}

const principal: Principal = {
  org_id: 'org-1',
  workspace_id: 'ws-1',
  project_id: 'proj-1',
  projectName: 'my-app',
  scopes: ['read'],
  keyHash: 'h',
};

function storedEvent(overrides: Partial<StoredEvent>): StoredEvent {
  return {
    org_id: 'org-1',
    workspace_id: 'ws-1',
    project_id: 'proj-1',
    event_id: 'e-1',
    version: 1,
    session_id: 's-1',
    parent_id: 's-1',
    children_ids: [],
    trace_id: null,
    span_id: null,
    event_type: 'model',
    event_name: 'chat',
    source: 'sdk',
    start_time: 1000,
    end_time: 1500,
    duration: 500,
    model: 'gpt-4o',
    provider: 'openai',
    prompt_tokens: 10,
    completion_tokens: 5,
    total_tokens: 15,
    cost: 0.01,
    error: null,
    config: {},
    inputs: { q: 'hi' },
    outputs: { a: 'hello' },
    metadata: { env: 'prod' },
    metrics: {},
    feedback: {},
    user_properties: {},
    ingested_at: 2000,
    deleted: false,
    inputs_ref: 'payloads/x',
    outputs_ref: null,
    ...overrides,
  };
}

function node(event: StoredEvent, children: SessionNode[] = []): SessionNode {
  return { ...event, children };
}

let spec: SpecSchemas;
beforeAll(() => {
  spec = new SpecSchemas(readFileSync(sharedReference('honeyhive-openapi.yaml'), 'utf8').split('\n'));
});

describe('export responses', () => {
  it('GetEventsLegacyResponse: events with the project name, totalEvents; no storage bookkeeping', () => {
    const body = eventsResponse(
      {
        events: [storedEvent({}), storedEvent({ event_id: 'e-2', parent_id: null, error: 'boom' })],
        totalEvents: 9,
      },
      principal,
    );
    expect(Object.keys(body).sort()).toEqual([...spec.required('GetEventsLegacyResponse', 6)].sort());
    expect(body.totalEvents).toBe(9);
    const itemRequired = spec.required('GetEventsLegacyResponse', 12);
    expect(itemRequired).toEqual(['project']);
    const itemTypes = spec.propertyTypes('GetEventsLegacyResponse', 14);
    expect(itemTypes.get('error')).toEqual(['string', 'null']);
    for (const event of body.events) {
      expectConforms(event, itemRequired, itemTypes);
      expect(event.project).toBe('my-app');
      expect(event).not.toHaveProperty('inputs_ref');
      expect(event).not.toHaveProperty('outputs_ref');
      expect(event).not.toHaveProperty('deleted');
    }
    expect(body.events[1]).not.toHaveProperty('parent_id');
    expect(body.events[1]?.error).toBe('boom');
  });

  it('keeps a projection to its fields (plus the required project)', () => {
    const body = eventsResponse({ events: [{ event_id: 'e-1', cost: 0.5 }], totalEvents: 1 }, principal);
    expect(body.events).toEqual([{ project: 'my-app', event_id: 'e-1', cost: 0.5 }]);
    expect(Object.keys(body).sort()).toEqual([...spec.required('GetEventsResponse', 6)].sort());
  });
});

describe('session responses', () => {
  const session = storedEvent({
    event_id: 's-1',
    parent_id: null,
    event_type: 'session',
    event_name: 'run',
    metadata: { env: 'prod' },
  });
  const chain = storedEvent({
    event_id: 'c-1',
    parent_id: 's-1',
    event_type: 'chain',
    event_name: 'pipeline',
    start_time: 1100,
  });
  const model = storedEvent({ event_id: 'm-1', parent_id: 'c-1', error: null });
  const result: SessionResult = {
    root: node(session, [node(chain, [node(model)])]),
    rollup: {
      num_events: 3,
      num_model_events: 1,
      has_feedback: false,
      cost: 0.03,
      total_tokens: 45,
      prompt_tokens: 30,
      completion_tokens: 15,
      start_time: 900,
      end_time: 4000,
      duration: 3100,
    },
  };

  it('GetSessionResponse: the root with children nested and the rollups in metadata', () => {
    const body = sessionResponse(result, principal);
    const types = spec.propertyTypes('GetSessionResponse', 8);
    expect([
      types.get('start_time'),
      types.get('children'),
      types.get('metadata'),
      types.get('error'),
    ]).toEqual([['number'], ['array'], ['object'], ['string']]);
    expectConforms(body, spec.required('GetSessionResponse', 6), spec.propertyTypes('GetSessionResponse', 8));
    expect(body).toMatchObject({
      event_id: 's-1',
      start_time: 900,
      end_time: 4000,
      duration: 3100,
      org_id: 'org-1',
      project_id: 'proj-1',
    });
    expect(body.metadata).toEqual({
      env: 'prod',
      num_events: 3,
      num_model_events: 1,
      has_feedback: false,
      cost: 0.03,
      total_tokens: 45,
      prompt_tokens: 30,
      completion_tokens: 15,
    });
    const metadataTypes = spec.propertyTypes('GetSessionResponse', 12);
    expectConforms(body.metadata as Record<string, unknown>, ['num_events'], metadataTypes);
    const chainNode = (body.children as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
    expect(chainNode.event_id).toBe('c-1');
    const [modelNode] = chainNode.children as Array<Record<string, unknown>>;
    expect(modelNode).toMatchObject({ event_id: 'm-1', children: [] });
    // The spec types error and parent_id as strings: unset ones are left out, not null.
    expect(modelNode).not.toHaveProperty('error');
    expect(body).not.toHaveProperty('parent_id');
    expect(modelNode).not.toHaveProperty('inputs_ref');
    for (const child of [chainNode, modelNode]) {
      expectConforms(
        child as Record<string, unknown>,
        spec.required('GetSessionResponse', 6),
        spec.propertyTypes('GetSessionResponse', 8),
      );
    }
  });

  it('GetEventsBySessionIdResponse has the same required fields, and an event answers in that shape', () => {
    expect(spec.required('GetEventsBySessionIdResponse', 6)).toEqual(spec.required('GetSessionResponse', 6));
    const body = eventNodeResponse(model, principal);
    expectConforms(
      body,
      spec.required('GetEventsBySessionIdResponse', 6),
      spec.propertyTypes('GetEventsBySessionIdResponse', 8),
    );
    expect(body.children).toEqual([]);
  });

  it('shapes a deep parent chain without recursion', () => {
    let deepest = node(storedEvent({ event_id: 'leaf' }));
    for (let depth = 0; depth < 20_000; depth++)
      deepest = node(storedEvent({ event_id: `n${depth}` }), [deepest]);
    let cursor = sessionResponse({ root: deepest, rollup: result.rollup }, principal);
    let depth = 0;
    while ((cursor.children as unknown[]).length > 0) {
      cursor = (cursor.children as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
      depth++;
    }
    expect(depth).toBe(20_000);
    expect(cursor.event_id).toBe('leaf');
  });
});

describe('chart and deletion responses', () => {
  it('GetEventsChartResponse: events are the points', () => {
    const body = chartResponse({
      events: [{ bucket: 0, value: 2, count: 3, group: 'gpt-4o' }],
      totalEvents: 3,
    });
    expect(Object.keys(body).sort()).toEqual([...spec.required('GetEventsChartResponse', 6)].sort());
    expect(body.events).toEqual([{ bucket: 0, value: 2, count: 3, group: 'gpt-4o' }]);
  });

  it('DeleteEventResponse and DeleteSessionResponse', () => {
    const body = deletionResponse('e-1');
    expectConforms(
      { ...body },
      spec.required('DeleteEventResponse', 6),
      spec.propertyTypes('DeleteEventResponse', 8),
    );
    expectConforms(
      { ...body },
      spec.required('DeleteSessionResponse', 6),
      spec.propertyTypes('DeleteSessionResponse', 8),
    );
    expect(body).toEqual({ success: true, deleted: 'e-1' });
  });
});
