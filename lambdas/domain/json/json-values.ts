import { TooLargeError } from '../errors';
import { jsonShapeExceeds } from './json-nesting';

/** The refusal of JSON text holding more than `maxValues` values; `where` names the body or field. */
export function tooManyJsonValues(where: string, maxValues: number): TooLargeError {
  return new TooLargeError(
    `${where} holds more than ${maxValues.toLocaleString('en-US')} JSON values (objects, arrays, members and items), the limit per request (MAX_JSON_VALUES): split it into smaller requests`,
  );
}

/**
 * Refuses (TooLargeError) JSON text holding more than `maxValues` values, counted as jsonShapeExceeds counts
 * them, before it is parsed: JSON.parse would materialise all of them at once.
 */
export function assertJsonValuesWithin(json: string | Uint8Array, maxValues: number, where: string): void {
  if (jsonShapeExceeds(json, { maxDepth: Number.POSITIVE_INFINITY, maxValues }) === 'values') {
    throw tooManyJsonValues(where, maxValues);
  }
}
