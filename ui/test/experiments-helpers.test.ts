import { describe, expect, it } from 'vitest';
import { uncountedComparison } from '../../lambdas/domain/experiments/compare';
import type { MetricComparison, RunWire } from '../src/api/experiments';
import { MAX_DIFF_WORDS, matchesGroundTruth, textOf, wordDiff } from '../src/experiments/diff';
import { isRunning } from '../src/experiments/RunStatus';
import { newerFirst } from '../src/experiments/RunsPage';
import {
  datapointChanges,
  deltaOf,
  deltaText,
  metricLabel,
  metricWhere,
  passRate,
  valueText,
} from '../src/experiments/result-view';

/** The text a diff's parts make on one side: `same` and that side's own parts. */
function side(parts: ReturnType<typeof wordDiff>, kind: 'added' | 'removed'): string {
  return (parts ?? [])
    .filter((part) => part.kind === 'same' || part.kind === kind)
    .map((part) => part.text)
    .join('');
}

describe('the output diff', () => {
  it('marks what the output lacks and adds, word by word', () => {
    expect(wordDiff('The capital is Madrid.', 'The capital is Barcelona.')).toEqual([
      { kind: 'same', text: 'The capital is ' },
      { kind: 'removed', text: 'Madrid.' },
      { kind: 'added', text: 'Barcelona.' },
    ]);
    expect(wordDiff('Paris', 'Paris')).toEqual([{ kind: 'same', text: 'Paris' }]);
    expect(wordDiff('', 'new words')).toEqual([{ kind: 'added', text: 'new words' }]);
  });

  it('gives back both texts exactly from its parts, whatever they hold', () => {
    const texts = ['a b c a b', 'b a c', '  spaced   out\n\nlines ', '', 'x', 'ünïcödé 😀 words', 'a a a a'];
    for (const expected of texts)
      for (const actual of texts) {
        const parts = wordDiff(expected, actual);
        expect(side(parts, 'added')).toBe(actual);
        // The expected side keeps its words; its spacing where words are shared is the output's.
        expect(side(parts, 'removed').split(/\s+/).join(' ').trim()).toBe(
          expected.split(/\s+/).join(' ').trim(),
        );
      }
  });

  it('does not diff texts too long to diff quickly', () => {
    const long = 'word '.repeat(MAX_DIFF_WORDS + 1);
    expect(wordDiff(long, 'short')).toBeUndefined();
    expect(wordDiff('short', long)).toBeUndefined();
    expect(wordDiff('word '.repeat(MAX_DIFF_WORDS), 'word')).toBeDefined();
  });

  it('reads a lone string field as its text, anything else as JSON', () => {
    expect(textOf({ answer: 'Paris' })).toBe('Paris');
    expect(textOf({ answer: 'Paris', score: 1 })).toBe('{\n  "answer": "Paris",\n  "score": 1\n}');
    expect(textOf({ n: 1 })).toBe('{\n  "n": 1\n}');
    expect(textOf({})).toBe('');
    expect(textOf(undefined)).toBe('');
    expect(matchesGroundTruth(' Paris\n', 'Paris')).toBe(true);
    expect(matchesGroundTruth('Paris', 'paris')).toBe(false);
  });
});

const metric = (name: string, changes: Partial<MetricComparison> = {}): MetricComparison => ({
  ...uncountedComparison({
    metric_name: name,
    metric_type: 'numeric',
    event_name: 'generate',
    event_type: 'model',
  }),
  ...changes,
});

describe('reading a result and a comparison', () => {
  it('says where a metric was recorded, and names shared names apart', () => {
    const session = { metric_name: 'exact', event_name: 'capitals', event_type: 'session' };
    const model = { metric_name: 'exact', event_name: 'generate', event_type: 'model' };
    const other = { metric_name: 'relevance', event_name: 'generate', event_type: 'model' };
    expect(metricWhere(session)).toBe('session');
    expect(metricWhere(model)).toBe('model generate');
    expect(metricLabel(model, [session, model, other])).toBe('exact (model generate)');
    expect(metricLabel(other, [session, model, other])).toBe('relevance');
  });

  it('writes values, deltas and pass rates', () => {
    expect(valueText(true)).toBe('true');
    expect(valueText(2 / 3)).toBe('0.6667');
    expect(valueText(null)).toBe('–');
    expect(deltaText(deltaOf({ old_aggregate: 0.6, new_aggregate: 0.5 }))).toBe('−0.1');
    expect(deltaText(deltaOf({ old_aggregate: 0, new_aggregate: 1 }))).toBe('+1');
    expect(deltaText(deltaOf({ old_aggregate: 1, new_aggregate: 1 }))).toBe('0');
    expect(deltaText(deltaOf({ new_aggregate: 1 }))).toBe('–');
    expect(passRate(0, 0)).toBeUndefined();
    expect(passRate(1, 3)).toBe(25);
  });

  it('sorts each common datapoint into improved, regressed, mixed or unchanged', () => {
    const changes = datapointChanges({
      commonDatapoints: ['a', 'b', 'c', 'd'],
      metrics: [
        metric('exact', { improved: ['a', 'b'], degraded: ['c'], same: ['d'] }),
        metric('relevance', { degraded: ['b'], same: ['a', 'c', 'd'], improved: ['not-common'] }),
      ],
    });
    expect(Object.fromEntries([...changes].map(([id, entry]) => [id, entry.change]))).toEqual({
      a: 'improved',
      b: 'mixed',
      c: 'regressed',
      d: 'same',
    });
    expect(changes.get('b')).toMatchObject({ improved: ['exact'], regressed: ['relevance'] });
    expect(changes.has('not-common')).toBe(false);
  });

  it('reads the newer run against the older', () => {
    const run = (id: string, created_at: string) => ({ run_id: id, created_at }) as RunWire;
    const older = run('old', '2026-12-01T00:00:00.000Z');
    const newer = run('new', '2026-12-02T00:00:00.000Z');
    expect(newerFirst(older, newer).map((item) => item.run_id)).toEqual(['new', 'old']);
    expect(newerFirst(newer, older).map((item) => item.run_id)).toEqual(['new', 'old']);
  });

  it('takes pending and running runs as still going', () => {
    expect(['pending', 'running', 'completed', 'failed', 'cancelled', undefined].map(isRunning)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});
