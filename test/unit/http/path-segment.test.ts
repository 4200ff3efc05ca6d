import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../lambdas/http/errors';
import { decodePathSegment } from '../../../lambdas/http/routes';

describe('decodePathSegment', () => {
  it('decodes percent-encoding', () => {
    expect(decodePathSegment('a%2Fb%20c')).toBe('a/b c');
    expect(decodePathSegment('%E0%A4%A4')).toBe('\u0924');
    expect(decodePathSegment('plain')).toBe('plain');
  });

  it('turns a malformed escape into a 400 naming the segment, not a URIError', () => {
    for (const segment of ['%ff', '%E0%A4%A', '%', 'abc%zz']) {
      let thrown: unknown;
      try {
        decodePathSegment(segment);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(HttpError);
      expect(thrown).toMatchObject({
        status: 400,
        message: `Path segment "${segment}" is not valid percent-encoding`,
      });
    }
  });
});
