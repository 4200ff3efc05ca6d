import { describe, expect, it } from 'vitest';
import { flattenAttributes } from '../../src/utils/flatten';

describe('flattenAttributes', () => {
  it('flattens nested objects and arrays into dotted honeyhive keys', () => {
    expect(
      flattenAttributes('honeyhive_inputs', {
        chat_history: [{ role: 'user', content: 'hi' }],
        temperature: 0.2,
        stream: false,
        skipped: null,
      }),
    ).toEqual({
      'honeyhive_inputs.chat_history.0.role': 'user',
      'honeyhive_inputs.chat_history.0.content': 'hi',
      'honeyhive_inputs.temperature': 0.2,
      'honeyhive_inputs.stream': false,
    });
  });

  it('writes a scalar under the prefix itself and drops null', () => {
    expect(flattenAttributes('honeyhive_outputs', 'done')).toEqual({ honeyhive_outputs: 'done' });
    expect(flattenAttributes('honeyhive_outputs', null)).toEqual({});
  });

  it('stops at the byte budget and marks the section truncated', () => {
    const out = flattenAttributes('p', { a: 'x'.repeat(10), b: 'y'.repeat(10), c: 1 }, { maxBytes: 16 });
    expect(out).toEqual({ 'p.a': 'x'.repeat(10), 'p.__truncated': true });
    expect(flattenAttributes('p', 'x'.repeat(100), { maxBytes: 10 })).toEqual({ 'p.__truncated': true });
  });
});
