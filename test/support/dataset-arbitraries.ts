/**
 * fast-check arbitraries of datapoint contents full of what breaks files: quotes, commas, newlines,
 * carriage returns, tabs, a BOM, unicode, strings that look like JSON or numbers, spreadsheet formula
 * prefixes, and keys like `__proto__`, nested a few levels (the dataset file tests, unit and e2e).
 */
import fc from 'fast-check';
import type { JsonObject } from '../../lambdas/domain/events/event';

export const HOSTILE_STRINGS = [
  '',
  ' ',
  '"',
  '""',
  ',',
  '","',
  '\n',
  '\r\n',
  '\r',
  '\t',
  "'",
  "'=1",
  '=1+1',
  '=HYPERLINK("http://x","y")',
  '+cmd',
  '-5',
  '@SUM(A1)',
  '42',
  '-0',
  '1e5',
  'true',
  'null',
  '{"a":1}',
  '[1,2]',
  ' 7 ',
  '\ufeffbom',
  'é',
  '😀👍🏽',
  'line1\nline2,"quoted"',
  '__proto__',
  'inputs.x',
  'id',
];

export const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.tuple(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 6 })).map(([a, b]) => a + b),
);

const leaf = fc.oneof(
  hostileString,
  fc.integer(),
  // -0 is written as 0 by JSON itself.
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.boolean(),
  fc.constant(null),
);
const { value: jsonValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 3 }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(hostileString, tie('value'), { maxKeys: 3 }),
}));
const section = fc.dictionary(hostileString, jsonValue, { maxKeys: 4 }) as fc.Arbitrary<JsonObject>;
const message = fc.dictionary(hostileString, jsonValue, { maxKeys: 2 }) as fc.Arbitrary<JsonObject>;

export interface DatapointContents {
  inputs: JsonObject;
  ground_truth: JsonObject;
  history: JsonObject[];
  metadata: JsonObject;
}

/** A datapoint's contents, as a dataset file carries them. */
export const datapointContents: fc.Arbitrary<DatapointContents> = fc.record({
  inputs: section,
  ground_truth: section,
  history: fc.array(message, { maxLength: 2 }),
  metadata: section,
});

/** Only the contents of a datapoint (or of a wire datapoint, or of an imported row). */
export const contentsOf = (point: DatapointContents): DatapointContents => ({
  inputs: point.inputs,
  ground_truth: point.ground_truth,
  history: point.history,
  metadata: point.metadata,
});
