/**
 * Property: any filter input either compiles to SQL whose parameters carry every user value (and
 * whose text holds none of it), or is refused with a 400 HttpError.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/domain/errors';
import { ATHENA_DIALECT, DUCKDB_DIALECT } from '../../../lambdas/domain/query/dialect';
import { compileFilter } from '../../../lambdas/domain/query/filters';
import { type EventFilter, FIELD_TYPES, FILTER_OPERATORS } from '../../../lambdas/domain/query/types';

// A marker no SQL the compiler writes could contain, so finding it in the text means user text leaked.
const MARK = 'ZqX';
const field = fc.oneof(
  fc.constantFrom('event_name', 'cost', 'start_time', 'deleted', 'metadata', 'children_ids', 'model'),
  fc
    .tuple(
      fc.constantFrom('metadata', 'inputs', 'user_properties', 'metrics', 'nope'),
      fc.array(fc.string(), { minLength: 1, maxLength: 10 }),
    )
    .map(([section, path]) => [section, ...path].join('.')),
  fc.string(),
);
const value = fc.oneof(
  fc.string().map((text) => `${MARK}${text}`),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const filter = fc.record({
  field,
  operator: fc.oneof(fc.constantFrom(...FILTER_OPERATORS), fc.string()),
  value,
  type: fc.option(fc.oneof(fc.constantFrom(...FIELD_TYPES), fc.string()), { nil: undefined }),
});

describe('compileFilter', () => {
  it('keeps user values out of the SQL text or refuses with 400', () => {
    fc.assert(
      fc.property(filter, fc.constantFrom(DUCKDB_DIALECT, ATHENA_DIALECT), (input, dialect) => {
        let compiled: ReturnType<typeof compileFilter>;
        try {
          compiled = compileFilter(input as EventFilter, dialect);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          return;
        }
        expect(compiled.text).not.toContain(MARK);
        expect(compiled.text.split('?').length - 1).toBe(compiled.params.length);
        const operator = input.operator as string;
        if (operator === 'exists' || operator === 'not exists') return;
        // The user value travels as a parameter: as given, as text, or as the number it denotes.
        const denoted = (param: unknown) =>
          param === input.value ||
          param === String(input.value) ||
          (typeof param === 'number' &&
            (param === Number(input.value) || param === Date.parse(String(input.value))));
        expect(compiled.params.some(denoted)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
