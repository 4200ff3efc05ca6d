/** `npm run bench -- --only <name>` puts one section in place and keeps the rest of docs/BENCHMARKS.md. */
import { describe, expect, it } from 'vitest';
import { withSection } from '../../../bench/sections';

const FILE = ['# Benchmarks', '', '## A', 'a1', '', '## B', 'old b', '', '## Notes', '- n', ''].join('\n');

describe('withSection', () => {
  it('replaces the section with the same heading, up to the next heading', () => {
    const out = withSection(FILE, '## B\nnew b\nmore b\n');
    expect(out).toBe(
      ['# Benchmarks', '', '## A', 'a1', '', '## B', 'new b', 'more b', '', '## Notes', '- n', ''].join('\n'),
    );
  });

  it('adds a new section before the notes', () => {
    const out = withSection(FILE, '## C\nc\n');
    expect(out).toBe(
      [
        '# Benchmarks',
        '',
        '## A',
        'a1',
        '',
        '## B',
        'old b',
        '',
        '## C',
        'c',
        '',
        '## Notes',
        '- n',
        '',
      ].join('\n'),
    );
  });

  it('replaces the last section when nothing follows it', () => {
    expect(withSection('## A\nold\n', '## A\nnew\n')).toBe('## A\nnew\n');
  });

  it('refuses a section without a heading', () => {
    expect(() => withSection(FILE, 'no heading')).toThrow(/## /);
  });
});
