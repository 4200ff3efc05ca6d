import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { eventToRow, rowToEvent } from '../../../lambdas/domain/store/event-row';
import { payloadKey } from '../../../lambdas/domain/store/layout';
import { makeEvent, TENANT } from './store-fixtures';

describe('eventToRow / rowToEvent', () => {
  it('round-trips an event with small sections and no payloads', () => {
    const event = makeEvent({ children_ids: ['c1', 'c2'], metrics: { score: 0.5 } });
    const { row, payloads } = eventToRow(event);
    expect(payloads).toEqual([]);
    expect(row.inputs_ref).toBeNull();
    expect(row.metadata).toBe('{"k":"v"}');
    expect(row.children_ids).toBe('["c1","c2"]');
    expect(rowToEvent({ ...row, project_id: TENANT.project_id })).toEqual(event);
  });

  it('keeps null scalars null', () => {
    const event = makeEvent({
      model: null,
      provider: null,
      prompt_tokens: null,
      cost: null,
      parent_id: null,
    });
    const { row } = eventToRow(event);
    expect(rowToEvent({ ...row, project_id: TENANT.project_id })).toEqual(event);
  });

  it('stores over-limit inputs as a valid-JSON truncated copy plus a gzip payload with the whole value', () => {
    const big = { text: 'x'.repeat(5000), list: [1, 2, 3] };
    const event = makeEvent({ inputs: big });
    const { row, payloads } = eventToRow(event, { maxInlineBytes: 1000, previewChars: 100 });

    const key = payloadKey(TENANT.project_id, event.event_id, event.version, 'inputs');
    expect(row.inputs_ref).toBe(key);
    expect(row.outputs_ref).toBeNull();
    const truncated = JSON.parse(row.inputs as string);
    expect(truncated).toEqual({
      _truncated: true,
      _preview: JSON.stringify(big).slice(0, 100),
      _bytes: Buffer.byteLength(JSON.stringify(big)),
    });
    expect(payloads).toHaveLength(1);
    expect(payloads[0]?.key).toBe(key);
    expect(JSON.parse(gunzipSync(payloads[0]?.body as Uint8Array).toString('utf8'))).toEqual(big);

    const back = rowToEvent({ ...row, project_id: TENANT.project_id });
    expect(back.inputs_ref).toBe(key);
    expect(back.inputs).toEqual(truncated);
    expect({ ...back, inputs: big, inputs_ref: undefined }).toEqual({ ...event, inputs_ref: undefined });
  });

  it('measures the limit in UTF-8 bytes, not characters', () => {
    const event = makeEvent({ outputs: { text: 'é'.repeat(600) } }); // ~1.2 KB of UTF-8, 600 chars
    expect(eventToRow(event, { maxInlineBytes: 1000 }).row.outputs_ref).not.toBeNull();
    expect(eventToRow(event, { maxInlineBytes: 2000 }).row.outputs_ref).toBeNull();
  });

  it('rejects a row without an event id or with broken JSON', () => {
    const { row } = eventToRow(makeEvent());
    expect(() => rowToEvent({ ...row, event_id: null, project_id: 'p' })).toThrow(/event_id/);
    expect(() => rowToEvent({ ...row, metadata: '{oops', project_id: 'p' })).toThrow(/metadata/);
    expect(() => rowToEvent({ ...row, config: '[1]', project_id: 'p' })).toThrow(/config/);
  });
});
