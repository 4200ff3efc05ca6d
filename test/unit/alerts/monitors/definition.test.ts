import { describe, expect, it } from 'vitest';
import {
  applyMonitorPatch,
  MAX_WINDOW_MINUTES,
  parseMonitorInput,
} from '../../../../lambdas/domain/alerts/monitors/definition';
import { monitorPayloadProblem } from '../../../../lambdas/domain/alerts/monitors/synced';
import { ValidationError } from '../../../../lambdas/domain/errors';

const VALID = {
  name: 'model errors',
  event_type: 'model',
  filters: [
    { field: 'error', operator: 'exists', type: 'string' },
    { field: 'event_name', operator: 'is', value: 'openai.chat', type: 'string' },
  ],
  aggregation: 'count',
  field: 'errors',
  window_minutes: 5,
  warning: null,
  critical: 0,
  channels: ['ch1'],
};

function refused(body: unknown): string {
  try {
    parseMonitorInput(body);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('monitor definitions', () => {
  it('takes a valid monitor, with defaults', () => {
    const content = parseMonitorInput(VALID);
    expect(content).toMatchObject({ condition: 'above', paused: false, critical: 0, warning: null });
    expect(content.filters).toEqual([
      { field: 'error', operator: 'exists' },
      { field: 'event_name', operator: 'is', value: 'openai.chat' },
    ]);
    expect(parseMonitorInput({ ...VALID, field: 'metrics.accuracy', aggregation: 'p95' }).field).toBe(
      'metrics.accuracy',
    );
  });

  it.each([
    [{ ...VALID, aggregation: 'p50' }, 'aggregation must be one of'],
    [{ ...VALID, field: 'inputs.text' }, 'field must be duration, cost, tokens, errors or metrics.<name>'],
    [{ ...VALID, field: 'metrics.' }, 'metrics.<name>'],
    [{ ...VALID, aggregation: 'p99' }, 'field errors takes count'],
    [{ ...VALID, window_minutes: 4 }, 'window_minutes must be'],
    [{ ...VALID, window_minutes: MAX_WINDOW_MINUTES + 1 }, 'window_minutes must be'],
    [{ ...VALID, window_minutes: 5.5 }, 'window_minutes must be'],
    [{ ...VALID, window_minutes: '5' }, 'window_minutes must be'],
    [{ ...VALID, warning: null, critical: null }, 'give warning, critical or both'],
    [{ ...VALID, warning: 10, critical: 5 }, 'critical must be above warning'],
    [{ ...VALID, condition: 'below', warning: 5, critical: 10 }, 'critical must be below warning'],
    [{ ...VALID, condition: 'drift', warning: -1, critical: 10 }, 'cannot be negative'],
    [{ ...VALID, condition: 'sideways' }, 'condition must be one of'],
    [{ ...VALID, critical: 'high' }, 'critical must be a number'],
    [{ ...VALID, channels: 'ch1' }, 'channels must be an array'],
    [{ ...VALID, channels: ['a', 'a'] }, 'one channel twice'],
    [{ ...VALID, channels: Array.from({ length: 21 }, (_, i) => `c${i}`) }, 'at most 20'],
    [{ ...VALID, event_type: 'span' }, 'event_type must be one of'],
    [{ ...VALID, name: '' }, 'name must be'],
    [{ ...VALID, paused: 'yes' }, 'paused must be'],
    [{ ...VALID, colour: 'red' }, 'unknown field "colour"'],
    [{ ...VALID, window_minutes: undefined }, 'window_minutes is required'],
    [{ ...VALID, name: 'n'.repeat(201) }, 'name must be'],
    [{ ...VALID, field: `metrics.${'m'.repeat(101)}` }, 'metrics.<name>'],
    [{ ...VALID, critical: Number.POSITIVE_INFINITY }, 'critical must be a number'],
    [{ ...VALID, channels: [''] }, 'channels[0] must be a channel id'],
    [{ ...VALID, channels: ['x'.repeat(129)] }, 'channels[0] must be a channel id'],
    [{ ...VALID, filters: Array.from({ length: 11 }, () => VALID.filters[0]) }, 'at most 10 filters'],
    [{ ...VALID, filters: { field: 'error' } }, 'filters must be an array'],
    [
      { ...VALID, filters: [{ field: 'model', operator: 'is', value: 'x'.repeat(257), type: 'string' }] },
      'longer than 256',
    ],
    [[VALID], 'must be a JSON object'],
    [null, 'must be a JSON object'],
  ])('refuses %j', (body, message) => {
    expect(refused(body)).toContain(message);
  });

  it.each([
    [
      { field: 'metadata.user', operator: 'is', value: 'x', type: 'string' },
      'cannot filter on "metadata.user"',
    ],
    [
      { field: 'duration', operator: 'greater than', value: 5, type: 'number' },
      'cannot filter on "duration"',
    ],
    [{ field: 'event_name', operator: 'contains', value: 'x', type: 'string' }, 'takes is or is not'],
    [
      { field: 'error', operator: 'is', value: 'timeout', type: 'string' },
      'error takes exists or not exists',
    ],
    [{ field: 'model', operator: 'nonsense', value: 'x', type: 'string' }, 'filters[0]'],
  ])('refuses the filter %j, saying why', (filter, message) => {
    const text = refused({ ...VALID, filters: [filter] });
    expect(text).toContain(message);
  });

  it('explains that monitors read rollups when a filter cannot be answered', () => {
    expect(
      refused({ ...VALID, filters: [{ field: 'inputs.q', operator: 'exists', type: 'string' }] }),
    ).toContain('per-minute rollups');
  });

  it('takes metric names that are prototype keys as plain names', () => {
    expect(parseMonitorInput({ ...VALID, field: 'metrics.__proto__', aggregation: 'avg' }).field).toBe(
      'metrics.__proto__',
    );
    expect(() => parseMonitorInput(JSON.parse('{"__proto__": {"name": "x"}}'))).toThrow(
      'unknown field "__proto__"',
    );
  });

  it('patches field by field, checked whole', () => {
    const content = parseMonitorInput(VALID);
    expect(applyMonitorPatch(content, { critical: 3, warning: 1 })).toMatchObject({
      critical: 3,
      warning: 1,
    });
    expect(() => applyMonitorPatch(content, { warning: 5 })).toThrow('critical must be above warning');
    expect(() => applyMonitorPatch(content, { id: 'x' })).toThrow('unknown field');
  });

  it('holds a synced payload to the same rules', () => {
    const content = parseMonitorInput(VALID);
    const payload = {
      id: 'm1',
      org_id: 'o',
      workspace_id: 'w',
      project_id: 'p',
      version: 1,
      content,
      created_at: '2026-12-04T00:00:00.000Z',
      updated_at: '2026-12-04T00:00:00.000Z',
    };
    expect(monitorPayloadProblem(JSON.parse(JSON.stringify(payload)), 'm1')).toBeUndefined();
    expect(
      monitorPayloadProblem({ ...payload, content: { ...content, window_minutes: 1 } } as never, 'm1'),
    ).toContain('window_minutes');
    expect(monitorPayloadProblem({ ...payload, extra: 1 } as never, 'm1')).toContain('unknown field');
    expect(monitorPayloadProblem(payload as never, 'm2')).toContain('entityId');
  });
});
