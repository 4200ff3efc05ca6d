/**
 * The fakes' deterministic answer, so a test can compute what it should get back:
 * - the reply text is `echo: ` + the text of the last user message (its text parts joined by a
 *   space), unless a behaviour scripts another text;
 * - a "token" is a whitespace-separated word: prompt tokens are the words of every text in the
 *   request (system, messages, tool results), completion tokens the words of the reply text plus
 *   those of each tool call's arguments JSON (JSON.stringify has no spaces: 1 per tool call);
 * - a request's max tokens (max_tokens, max_completion_tokens) cuts the reply to that many words,
 *   and the finish reason says so (`length`, Anthropic's `max_tokens`);
 * - a streamed reply sends one word per delta, each with the whitespace before the next word.
 */

export const ECHO_PREFIX = 'echo: ';

export function countTokens(text: string): number {
  return text.split(/\s+/).filter((word) => word.length > 0).length;
}

/** Splits text into word pieces whose concatenation is the text (a word keeps its trailing whitespace). */
export function wordPieces(text: string): string[] {
  return text.split(/(?<=\s)(?=\S)/).filter((piece) => piece.length > 0);
}

/** The first `maxWords` words of text (their pieces), or all of it. */
export function cutToWords(text: string, maxWords: number | undefined): { text: string; cut: boolean } {
  if (maxWords === undefined || countTokens(text) <= maxWords) return { text, cut: false };
  const kept: string[] = [];
  let words = 0;
  for (const piece of wordPieces(text)) {
    if (/\S/.test(piece)) words++;
    if (words > maxWords) break;
    kept.push(piece);
  }
  return { text: kept.join('').trimEnd(), cut: true };
}

/** Splits a tool call's arguments JSON into fragments of `size` characters, as providers stream them. */
export function argumentFragments(json: string, size = 8): string[] {
  const fragments: string[] = [];
  for (let at = 0; at < json.length; at += size) fragments.push(json.slice(at, at + size));
  return fragments;
}

/** Every string found under `text` or `content` keys (and bare strings in content arrays) of a value. */
export function textsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(textsOf);
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  return [...textsOf(record.text), ...textsOf(record.content)];
}
