import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createRedactor,
  EMAIL_SHAPE_SOURCE,
  MIN_SECRET_LENGTH,
  mayContainSecret,
  SECRET_SHAPE_SOURCES,
} from '../../src/utils/redaction';

// The guard may only skip strings in which the combined pattern finds nothing.
const combined = new RegExp(SECRET_SHAPE_SOURCES.join('|'));
const combinedWithEmails = new RegExp([...SECRET_SHAPE_SOURCES, EMAIL_SHAPE_SOURCE].join('|'));
const matchesAny = (text: string, emails: boolean) => (emails ? combinedWithEmails : combined).test(text);

// Characters the shapes are made of, plus the separators their context rules care about.
const ALPHABET = [
  ...'abcdeikprsxyzAIJKSZ0129_-.:=@ "\'\n/+~',
  'sk-',
  'xoxb-',
  'eyJ',
  'Bearer ',
  'secret',
  'passwd',
  'apikey',
  '=',
  ':',
  '@',
  '.co',
];
const shortText = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 8 }).map((parts) => parts.join(''));
const context = fc.string({ maxLength: 4 });

describe('redaction short-string guard', () => {
  it('never skips a string that holds a generated secret of any shape (fast-check)', () => {
    for (const source of [...SECRET_SHAPE_SOURCES, EMAIL_SHAPE_SOURCE]) {
      // fast-check generates strings of each shape; it knows no named groups or \b, which are dropped
      // (a wider set: the check below only applies where the real pattern matches).
      const shape = new RegExp(`^(?:${source.replace(/\(\?<keep2?>/g, '(').replaceAll('\\b', '')})$`);
      let matched = 0;
      fc.assert(
        fc.property(fc.stringMatching(shape), context, context, (secret, before, after) => {
          const text = `${before}${secret}${after}`;
          for (const emails of [false, true]) {
            if (!matchesAny(text, emails)) continue;
            matched++;
            expect(mayContainSecret(text, emails)).toBe(true);
          }
        }),
        { numRuns: 300 },
      );
      // Not vacuous: most generated texts hold a real match of the shape.
      expect(matched, source).toBeGreaterThan(100);
    }
  });

  it('never skips a short string the combined pattern matches (fast-check)', () => {
    fc.assert(
      fc.property(shortText, fc.boolean(), (text, emails) => {
        if (matchesAny(text, emails)) expect(mayContainSecret(text, emails)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('the shortest secrets of each kind are still scanned and masked', () => {
    const shortest = ['xoxb-0123456789', 'Bearer 01234567', 'secret=abc', 'apikey:abc', 'passwd=xyz'];
    for (const text of shortest) {
      expect(matchesAny(text, false)).toBe(true);
      expect(mayContainSecret(text, false)).toBe(true);
      expect(createRedactor()({ note: text })).not.toEqual({ note: text });
    }
    expect(createRedactor({ maskEmails: true })({ note: 'a@b.co' })).toEqual({ note: '[REDACTED]' });
    expect(createRedactor()({ note: 'a@b.co' })).toEqual({ note: 'a@b.co' });
  });

  it('skips plain short text; extra patterns still apply to it', () => {
    expect('xoxb-0123456789'.length).toBe(MIN_SECRET_LENGTH);
    expect(mayContainSecret('what is otel?', false)).toBe(false);
    expect(mayContainSecret('u1', true)).toBe(false);
    const r = createRedactor({ patterns: [/otel/] });
    expect(r({ q: 'what is otel?' })).toEqual({ q: 'what is [REDACTED]?' });
    expect(r('otel')).toBe('[REDACTED]');
  });

  it('guarded and unguarded redaction agree on arbitrary strings (fast-check)', () => {
    const redactor = createRedactor({ maskEmails: true });
    fc.assert(
      fc.property(fc.oneof(shortText, fc.string({ maxLength: 20 })), (text) => {
        const unguarded = text.replace(
          new RegExp([...SECRET_SHAPE_SOURCES, EMAIL_SHAPE_SOURCE].join('|'), 'g'),
          (...args: unknown[]) => {
            const groups = args[args.length - 1] as Record<string, string | undefined>;
            return `${groups.keep ?? groups.keep2 ?? ''}[REDACTED]`;
          },
        );
        expect(redactor({ v: text })).toEqual({ v: unguarded });
      }),
      { numRuns: 5_000 },
    );
  });
});
