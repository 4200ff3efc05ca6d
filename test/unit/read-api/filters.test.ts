import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/domain/errors';
import { EVENT_SECTIONS } from '../../../lambdas/domain/events/event';
import { FIELD_TYPES, FILTER_OPERATORS } from '../../../lambdas/domain/query/types';
import { MAX_FILTERS, OPERATORS_BY_TYPE, parseFilters } from '../../../lambdas/domain/read-api/filters';

/** The 400 a call throws, so tests can check the message names the field. */
function badRequest(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

const SAMPLE_VALUES = { string: 'gpt-4o', number: 12.5, boolean: true, datetime: '2026-11-21T10:00:00.000Z' };
const FIELDS = { string: 'model', number: 'cost', boolean: 'metadata.cached', datetime: 'start_time' };
const EXPECTED_VALUES = {
  string: 'gpt-4o',
  number: 12.5,
  boolean: true,
  datetime: Date.UTC(2026, 10, 21, 10),
};

describe('parseFilters: every operator with every type that accepts it', () => {
  for (const type of FIELD_TYPES) {
    for (const operator of OPERATORS_BY_TYPE[type]) {
      it(`${type} ${operator}`, () => {
        const [filter] = parseFilters([{ field: FIELDS[type], operator, value: SAMPLE_VALUES[type], type }]);
        if (operator === 'exists' || operator === 'not exists') {
          expect(filter).toEqual({ field: FIELDS[type], operator, type });
        } else {
          expect(filter).toEqual({ field: FIELDS[type], operator, type, value: EXPECTED_VALUES[type] });
        }
      });
    }
  }

  it('covers every operator of the query layer', () => {
    const covered = new Set(FIELD_TYPES.flatMap((type) => OPERATORS_BY_TYPE[type]));
    expect([...covered].sort()).toEqual([...FILTER_OPERATORS].sort());
  });

  it('refuses an operator the type does not have, naming the filter and listing the valid ones', () => {
    const error = badRequest(() =>
      parseFilters([
        { field: 'cost', operator: 'is', value: 1, type: 'number' },
        { field: 'cost', operator: 'contains', value: '1', type: 'number' },
      ]),
    );
    expect(error.message).toMatch(/^filters\[1\]\.operator "contains" does not apply to a number field/);
    expect(error.message).toContain('greater than');
  });
});

describe('parseFilters: coercion and defaults', () => {
  it('reads query-string text as the declared type', () => {
    expect(
      parseFilters([
        { field: 'metadata.n', operator: 'greater than', value: '42', type: 'number' },
        { field: 'metadata.ok', operator: 'is', value: 'false', type: 'boolean' },
        { field: 'end_time', operator: 'before', value: '1700000000000', type: 'datetime' },
        { field: 'event_name', operator: 'is', value: 7, type: 'string' },
      ]).map((filter) => filter.value),
    ).toEqual([42, false, 1_700_000_000_000, '7']);
  });

  it('takes the type from the column, the operator or the value when it is left out', () => {
    const types = parseFilters([
      { field: 'duration', operator: 'is', value: 5 },
      { field: 'start_time', operator: 'after', value: '2026-01-01T00:00:00Z' },
      { field: 'start_time', operator: 'greater than', value: 5 },
      { field: 'metadata.latency', operator: 'less than', value: 5 },
      { field: 'metadata.when', operator: 'before', value: 0 },
      { field: 'metadata.flag', operator: 'is', value: true },
      { field: 'inputs.question', operator: 'contains', value: 'why' },
      { field: 'metadata', operator: 'exists' },
    ]).map((filter) => filter.type);
    expect(types).toEqual([
      'number',
      'datetime',
      'number',
      'number',
      'datetime',
      'boolean',
      'string',
      'string',
    ]);
  });

  it('reads operators case-insensitively and a JSON-encoded list', () => {
    expect(
      parseFilters('[{"field":"event_type","operator":"Is  Not","value":"model","type":"string"}]'),
    ).toEqual([{ field: 'event_type', operator: 'is not', value: 'model', type: 'string' }]);
  });

  it('reads one JSON object per repeated query parameter', () => {
    expect(
      parseFilters(['{"field":"model","operator":"is","value":"a"}', '{"field":"cost","operator":"exists"}']),
    ).toEqual([
      { field: 'model', operator: 'is', value: 'a', type: 'string' },
      { field: 'cost', operator: 'exists', type: 'number' },
    ]);
  });

  it('treats absent, null and empty as no filters', () => {
    expect(parseFilters(undefined)).toEqual([]);
    expect(parseFilters(null)).toEqual([]);
    expect(parseFilters('')).toEqual([]);
    expect(parseFilters([])).toEqual([]);
  });

  it('accepts nested paths in every JSON section', () => {
    for (const section of EVENT_SECTIONS) {
      expect(parseFilters([{ field: `${section}.a.b_c-d`, operator: 'exists' }])[0]?.field).toBe(
        `${section}.a.b_c-d`,
      );
    }
  });
});

describe('parseFilters: bad input is a 400 naming the field', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['a lone object without an operator', { field: 'model' }, /^filters\[0\]\.operator/],
    ['a number', 5, /^filters must be an array/],
    ['invalid JSON text', '[{', /^filters is a string but not valid JSON/],
    ['a non-object entry', [7], /^filters\[0\] must be a filter object/],
    ['an unknown column', [{ field: 'secret', operator: 'exists' }], /^filters\[0\]\.field is not readable/],
    [
      'an unknown section',
      [{ field: 'payload.x', operator: 'exists' }],
      /^filters\[0\]\.field is not readable/,
    ],
    [
      'a JSONPath-ish key',
      [{ field: "metadata.$['a']", operator: 'exists' }],
      /^filters\[0\]\.field is not readable/,
    ],
    [
      'too deep a path',
      [{ field: `metadata.${'a.'.repeat(9)}z`, operator: 'exists' }],
      /^filters\[0\]\.field/,
    ],
    ['a missing field', [{ operator: 'exists' }], /^filters\[0\]\.field/],
    [
      'an unknown operator',
      [{ field: 'model', operator: 'like', value: 'x' }],
      /^filters\[0\]\.operator must be one of/,
    ],
    [
      'an unknown type',
      [{ field: 'model', operator: 'is', value: 'x', type: 'text' }],
      /^filters\[0\]\.type must be one of/,
    ],
    [
      'a type clashing with the column',
      [{ field: 'cost', operator: 'is', value: 'x', type: 'string' }],
      /^filters\[0\]\.type is "string" but cost is a number field/,
    ],
    [
      'a missing value',
      [{ field: 'model', operator: 'is', type: 'string' }],
      /^filters\[0\]\.value is required/,
    ],
    ['a null value', [{ field: 'model', operator: 'is', value: null }], /^filters\[0\]\.value is required/],
    [
      'a non-numeric number',
      [{ field: 'cost', operator: 'less than', value: 'cheap' }],
      /^filters\[0\]\.value must be a finite number/,
    ],
    [
      'an infinite number',
      [{ field: 'cost', operator: 'less than', value: 'Infinity' }],
      /^filters\[0\]\.value must be a finite number/,
    ],
    [
      'a non-boolean',
      [{ field: 'metadata.ok', operator: 'is', value: 'yes', type: 'boolean' }],
      /^filters\[0\]\.value must be true or false/,
    ],
    [
      'a non-date',
      [{ field: 'start_time', operator: 'after', value: 'yesterday' }],
      /^filters\[0\]\.value must be an ISO 8601/,
    ],
    [
      'SQL-looking text as a date (Date.parse would read it as 2001-01-01)',
      [{ field: 'start_time', operator: 'after', value: "' OR '1'='1" }],
      /^filters\[0\]\.value must be an ISO 8601 date or date-time .* or epoch milliseconds .*, got "' OR '1'='1"$/,
    ],
    [
      'a date in a non-ISO format',
      [{ field: 'end_time', operator: 'before', value: 'Nov 1 2026', type: 'datetime' }],
      /^filters\[0\]\.value must be an ISO 8601/,
    ],
    [
      'an impossible calendar date',
      [{ field: 'metadata.when', operator: 'after', value: '2026-02-30' }],
      /^filters\[0\]\.value must be an ISO 8601/,
    ],
    [
      'a negative date',
      [{ field: 'start_time', operator: 'after', value: -1 }],
      /^filters\[0\]\.value must be an ISO 8601/,
    ],
    [
      'an object value',
      [{ field: 'model', operator: 'is', value: { $ne: 1 } }],
      /^filters\[0\]\.value must be a string/,
    ],
    [
      'an overlong string',
      [{ field: 'model', operator: 'is', value: 'x'.repeat(1001) }],
      /^filters\[0\]\.value is longer than 1000 characters \(a ' counts as two\): Athena takes query parameters of at most 1024/,
    ],
    [
      'a string of 1000 characters whose quotes, doubled, pass 1000',
      [{ field: 'metadata.note', operator: 'contains', value: `${"'".repeat(10)}${'x'.repeat(990)}` }],
      /^filters\[0\]\.value is longer than 1000 characters/,
    ],
    [
      'too many filters',
      Array.from({ length: MAX_FILTERS + 1 }, () => ({ field: 'model', operator: 'exists' })),
      /^filters has more than 50/,
    ],
  ];
  for (const [name, input, message] of cases) {
    it(name, () => {
      expect(badRequest(() => parseFilters(input)).message).toMatch(message);
    });
  }

  it('refuses hostile nesting in JSON text before parsing it', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(badRequest(() => parseFilters(deep)).message).toMatch(/^filters is nested more than 64 levels/);
  });

  it('cannot be steered through prototype keys', () => {
    const filters = parseFilters(
      '[{"field":"model","operator":"is","value":"x","__proto__":{"type":"number"}}]',
    );
    expect(filters).toEqual([{ field: 'model', operator: 'is', value: 'x', type: 'string' }]);
  });
});
