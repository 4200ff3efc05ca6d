import { describe, expect, it } from 'vitest';
import { parseListSearch, rangeFromSearch, withoutDefaults } from '../src/app/list-search';

const SORTS = ['start_time', 'cost'] as const;

describe('list search parameters', () => {
  it('keeps what is well formed and drops the rest', () => {
    expect(
      parseListSearch(
        {
          range: 'custom',
          from: 1000,
          to: 2000,
          filters: [{ field: 'model', operator: 'is', value: 'x' }, { field: 3 }, 'junk'],
          sort: 'cost',
          order: 'asc',
          page: 3,
          size: 100,
        },
        SORTS,
      ),
    ).toEqual({
      range: 'custom',
      from: 1000,
      to: 2000,
      filters: [{ field: 'model', operator: 'is', value: 'x' }],
      sort: 'cost',
      order: 'asc',
      page: 3,
      size: 100,
    });
    expect(
      parseListSearch(
        {
          range: 'custom',
          from: 3000,
          to: 2000,
          sort: 'drop table',
          order: 'up',
          page: 1.5,
          size: 7,
          filters: '{',
        },
        SORTS,
      ),
    ).toEqual({});
    expect(parseListSearch({ range: '30d', page: '4' }, SORTS)).toEqual({ range: '30d', page: 4 });
  });

  it('reads the range (24 hours by default) and leaves defaults out of the URL', () => {
    expect(rangeFromSearch({})).toEqual({ preset: '24h' });
    expect(rangeFromSearch({ range: 'custom', from: 1, to: 2 })).toEqual({
      preset: 'custom',
      from: 1,
      to: 2,
    });
    expect(
      withoutDefaults(
        { range: '24h', from: 5, filters: [], sort: 'start_time', order: 'desc', page: 1, size: 50 },
        { sort: 'start_time', order: 'desc', size: 50 },
      ),
    ).toEqual({
      range: undefined,
      from: undefined,
      to: undefined,
      filters: undefined,
      sort: undefined,
      order: undefined,
      page: undefined,
      size: undefined,
    });
  });
});
