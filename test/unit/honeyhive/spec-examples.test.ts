import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CREATE_EVENT_EXAMPLE,
  LEGACY_EVENT_KEYS,
  SESSION_START_RESPONSE_KEYS,
  SPEC_PATH,
  UPDATE_EVENT_EXAMPLE,
} from './spec-examples';

const spec = readFileSync(SPEC_PATH, 'utf8');

/** The text of one component schema: from its heading to the next schema at the same indent. */
function schemaBlock(name: string): string {
  const start = spec.indexOf(`\n    ${name}:\n`);
  if (start < 0) throw new Error(`schema ${name} not in the spec`);
  const next = spec.slice(start + 1).search(/\n {4}[A-Za-z]+:\n/);
  return spec.slice(start, start + 1 + next);
}

describe('hand-copied fixtures agree with the HoneyHive OpenAPI text', () => {
  it('POST /events example is the spec example verbatim', () => {
    expect(spec).toContain(`event: '${CREATE_EVENT_EXAMPLE.event}'`);
  });

  it('PUT /events example ids and figures are in the spec', () => {
    expect(spec).toContain(`event_id: ${UPDATE_EVENT_EXAMPLE.event_id}`);
    expect(spec).toContain(`user_id: ${UPDATE_EVENT_EXAMPLE.user_properties.user_id}`);
    expect(spec).toContain('content: Hello, {{ name }}!');
  });

  it('PostSessionStartResponse lists exactly the keys the tests check', () => {
    const block = schemaBlock('PostSessionStartResponse');
    const keys = [...block.matchAll(/\n {8}([a-z_]+):/g)].map((match) => match[1]);
    expect(keys).toEqual(SESSION_START_RESPONSE_KEYS);
  });

  it('a batch event item has exactly the LegacyEvent keys the tests check', () => {
    const block = schemaBlock('LegacyEvent');
    const keys = [...block.matchAll(/\n {8}([a-z_]+):/g)].map((match) => match[1]);
    expect(keys).toEqual(LEGACY_EVENT_KEYS);
  });
});
