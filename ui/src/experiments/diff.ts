/**
 * The output diff of the run comparison: an output's text against the ground truth's, word by word
 * (whitespace kept with the word before it). A longest-common-subsequence table is n × m cells, so
 * texts beyond MAX_DIFF_WORDS words each are not diffed (the caller shows them side by side instead).
 */
import { isJsonRecord } from '../datasets/json-text';

export interface DiffPart {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** Words each side at most: 1,500 × 1,500 = 2.25 M table cells, a few milliseconds. */
export const MAX_DIFF_WORDS = 1_500;

/** The text of an output or a ground truth: a lone string field as that string, otherwise indented JSON. */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (isJsonRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '';
    if (entries.length === 1 && typeof entries[0]?.[1] === 'string') return entries[0][1];
  }
  return JSON.stringify(value, null, 2);
}

function words(text: string): string[] {
  return text.match(/\s*\S+\s*|\s+/g) ?? [];
}

/** The parts that turn `expected` into `actual`: removed (only in expected), added (only in actual), same. */
export function wordDiff(expected: string, actual: string): DiffPart[] | undefined {
  const a = words(expected);
  const b = words(actual);
  if (a.length > MAX_DIFF_WORDS || b.length > MAX_DIFF_WORDS) return undefined;
  const key = (word: string) => word.trim();
  // lengths[i][j]: the LCS of a[i..] and b[j..].
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint16Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--) {
      const row = lengths[i] as Uint16Array;
      const below = lengths[i + 1] as Uint16Array;
      row[j] =
        key(a[i] as string) === key(b[j] as string)
          ? (below[j + 1] as number) + 1
          : Math.max(below[j] as number, row[j + 1] as number);
    }
  const parts: DiffPart[] = [];
  const push = (kind: DiffPart['kind'], text: string) => {
    const last = parts[parts.length - 1];
    if (last?.kind === kind) last.text += text;
    else parts.push({ kind, text });
  };
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (key(a[i] as string) === key(b[j] as string)) {
      push('same', b[j] as string);
      i++;
      j++;
    } else if (
      ((lengths[i + 1] as Uint16Array)[j] as number) >= ((lengths[i] as Uint16Array)[j + 1] as number)
    ) {
      push('removed', a[i] as string);
      i++;
    } else {
      push('added', b[j] as string);
      j++;
    }
  }
  for (; i < a.length; i++) push('removed', a[i] as string);
  for (; j < b.length; j++) push('added', b[j] as string);
  return parts;
}

/** Whether an output says what the ground truth says (the same words, spacing aside). */
export function matchesGroundTruth(groundTruth: string, output: string): boolean {
  const norm = (text: string) => text.trim().split(/\s+/).join(' ');
  return norm(groundTruth) === norm(output);
}
