import { describe, expect, it } from 'vitest';
import { DUCKDB_DIALECT } from '../../../lambdas/domain/query/dialect';
import { parseEpochMs } from '../../../lambdas/domain/query/epoch-ms';
import { compileFilter } from '../../../lambdas/domain/query/filters';

describe('parseEpochMs: ISO 8601 or epoch milliseconds, nothing else', () => {
  it.each([
    ['2026-11-01', Date.UTC(2026, 10, 1)],
    ['2026-11-01T10:00', Date.UTC(2026, 10, 1, 10)],
    ['2026-11-01T10:00:05', Date.UTC(2026, 10, 1, 10, 0, 5)],
    ['2026-11-01T10:00:05Z', Date.UTC(2026, 10, 1, 10, 0, 5)],
    ['2026-11-01T10:00:05.123Z', Date.UTC(2026, 10, 1, 10, 0, 5, 123)],
    // Python's isoformat(): microseconds and a +00:00 offset.
    ['2026-11-01T10:00:05.123456+00:00', Date.UTC(2026, 10, 1, 10, 0, 5, 123)],
    ['2026-11-01T12:00:00+02:00', Date.UTC(2026, 10, 1, 10)],
    ['2026-11-01T05:30:00-0430', Date.UTC(2026, 10, 1, 10)],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['0050-01-01', -60_589_296_000_000],
    ['1700000000000', 1_700_000_000_000],
    ['0', 0],
    // Digits alone are always epoch ms, never a year.
    ['2026', 2026],
  ])('reads %j', (text, expected) => {
    expect(parseEpochMs(text)).toBe(expected);
  });

  it('reads numbers as epoch ms', () => {
    expect(parseEpochMs(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(parseEpochMs(-5)).toBe(-5);
    expect(parseEpochMs(Number.NaN)).toBeUndefined();
    expect(parseEpochMs(Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it.each([
    // Date.parse reads each of these as some date.
    "' OR '1'='1",
    'Nov 1 2026',
    '1 November 2026',
    '2026/11/01',
    'Sun, 01 Nov 2026 10:00:00 GMT',
    '2026-11-01 10:00:00',
    '2026-11-01T10',
    '2026-11-01Z',
    '2026-11',
    // Numbers that are not plain digits.
    '-5',
    '1e12',
    '0x10',
    ' 12',
    '12.5',
    '',
    // Calendar and clock values out of range.
    '2026-13-01',
    '2026-02-29',
    '2026-04-31',
    '2026-11-00',
    '2026-11-01T24:00:00Z',
    '2026-11-01T10:60:00Z',
    '2026-11-01T10:00:60Z',
    '2026-11-01T10:00:00+24:00',
    '2026-11-01T10:00:00+02:60',
    '99999999999999999',
  ])('refuses %j', (text) => {
    expect(parseEpochMs(text)).toBeUndefined();
  });

  it('refuses values that are neither text nor numbers', () => {
    for (const value of [true, null, undefined, {}, [], ['2026-11-01']])
      expect(parseEpochMs(value)).toBeUndefined();
  });
});

describe('datetime filters in the query layer', () => {
  it('compile an ISO or epoch value to an epoch-ms parameter', () => {
    const iso = compileFilter(
      { field: 'start_time', operator: 'after', value: '2026-11-01T00:00:00Z' },
      DUCKDB_DIALECT,
    );
    expect(iso.params).toEqual([Date.UTC(2026, 10, 1)]);
    const epoch = compileFilter(
      { field: 'metadata.when', operator: 'before', value: '1700000000000' },
      DUCKDB_DIALECT,
    );
    expect(epoch.params).toContain(1_700_000_000_000);
  });

  it('refuse any other text with a 400 naming the field and the accepted formats', () => {
    for (const value of ["' OR '1'='1", 'Nov 1 2026', '1e12']) {
      expect(() =>
        compileFilter({ field: 'start_time', operator: 'after', value, type: 'datetime' }, DUCKDB_DIALECT),
      ).toThrow(
        expect.objectContaining({
          kind: 'validation',
          message: expect.stringMatching(
            /^filter on "start_time" needs a datetime value, an ISO 8601 .* or epoch milliseconds/,
          ),
        }),
      );
    }
  });
});
