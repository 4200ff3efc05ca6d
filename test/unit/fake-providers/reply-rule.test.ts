/** The fakes' reply rule: word pieces rebuild the text, counts agree, the max-tokens cut keeps whole words. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  argumentFragments,
  countTokens,
  cutToWords,
  wordPieces,
} from '../../support/fake-providers/reply-rule';

const text = fc
  .array(fc.constantFrom('a', 'bc', 'déjà', ' ', '  ', '\n', '\t', '{"x":1}'), { maxLength: 30 })
  .map((parts) => parts.join(''));

describe('reply rule', () => {
  it('word pieces concatenate to the text, one piece per word (and one for leading whitespace)', () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(wordPieces(value).join('')).toBe(value);
        // A leading run of whitespace is a piece of its own.
        expect(wordPieces(value).length).toBe(countTokens(value) + (/^\s/.test(value) ? 1 : 0));
      }),
    );
  });

  it('the cut keeps the first n words and says whether it cut', () => {
    fc.assert(
      fc.property(text, fc.nat(10), (value, n) => {
        const { text: kept, cut } = cutToWords(value, n);
        expect(cut).toBe(countTokens(value) > n);
        expect(countTokens(kept)).toBe(Math.min(n, countTokens(value)));
        expect(value.startsWith(kept)).toBe(true);
      }),
    );
    expect(cutToWords('echo: one two three', 2)).toEqual({ text: 'echo: one', cut: true });
    expect(cutToWords('echo: one', undefined)).toEqual({ text: 'echo: one', cut: false });
  });

  it('argument fragments rebuild the JSON', () => {
    const json = JSON.stringify({ city: 'Paris', days: [1, 2, 3] });
    expect(argumentFragments(json).join('')).toBe(json);
    expect(argumentFragments(json).every((fragment) => fragment.length <= 8)).toBe(true);
  });
});
