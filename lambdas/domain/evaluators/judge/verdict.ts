/**
 * The judge's output contract and how its answer is read. The judge is asked for a JSON object
 * `{"explanation": string, "rating": <return type>}`: through the provider's structured output
 * (response_format json_schema) where the provider has it, else in words, ending with the rating in
 * double square brackets (`[[4]]`, `[[true]]`). Either answer is read whatever was asked: a JSON
 * object with a rating first, else the last `[[...]]` of the text. The rating is converted to the
 * return type by the rules every evaluator's value follows (../score.ts).
 */
import type { ProviderId } from '../../providers/provider-ids';
import type { ReturnType, ScoreValue } from '../evaluator';
import { convertScore } from '../score';

/** The providers whose adapter turns a JSON schema into the provider's own structured output. */
export const STRUCTURED_OUTPUT_PROVIDERS: ReadonlySet<ProviderId> = new Set<ProviderId>([
  'openai',
  'azure',
  'anthropic',
  'google-vertex',
  'bedrock',
]);

export type VerdictMode = 'json' | 'text';

export const VERDICT_SCHEMA_NAME = 'judge_verdict';

const RATING_TYPES: Record<ReturnType, { schema: string; words: string; examples: string }> = {
  boolean: { schema: 'boolean', words: 'true or false', examples: '[[true]] or [[false]]' },
  float: { schema: 'number', words: 'a number', examples: '[[4]] or [[0.75]]' },
  string: { schema: 'string', words: 'a short label', examples: '[[relevant]]' },
};

/** The JSON schema of the verdict: the explanation first, so the model reasons before it rates. */
export function verdictSchema(returnType: ReturnType): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      explanation: { type: 'string', description: 'Why the rating is what it is, in a few sentences.' },
      rating: {
        type: RATING_TYPES[returnType].schema,
        description: `The rating: ${RATING_TYPES[returnType].words}.`,
      },
    },
    required: ['explanation', 'rating'],
    additionalProperties: false,
  };
}

/** What the system message tells the judge about the form of its answer. */
export function verdictInstructions(returnType: ReturnType, mode: VerdictMode): string {
  const type = RATING_TYPES[returnType];
  if (mode === 'json') {
    return `Answer with a JSON object and nothing else: {"explanation": "<why, in a few sentences>", "rating": <${type.words}>}.`;
  }
  return `First explain your judgement in a few sentences. Then give the rating, ${type.words}, on the last line in double square brackets, for example ${type.examples}.`;
}

export interface VerdictLimits {
  /** Characters of the explanation kept. */
  explanationChars: number;
  /** Characters of a string rating. */
  valueChars: number;
}

export type Verdict = { ok: true; value: ScoreValue; explanation?: string } | { ok: false; message: string };

/** The rating and explanation of an answer, or why there is none (never throws). */
export function readVerdict(
  answer: { text: string; finishReason?: string },
  returnType: ReturnType,
  limits: VerdictLimits,
): Verdict {
  const text = answer.text.trim();
  if (answer.finishReason === 'content_filter') {
    return { ok: false, message: "the judge's model refused to answer (its provider's content filter)" };
  }
  if (text === '') return { ok: false, message: "the judge's model answered nothing" };
  const json = jsonObjectIn(text);
  if (json !== undefined && Object.hasOwn(json, 'rating')) {
    const converted = convertScore(json.rating, returnType, limits.valueChars);
    if (!converted.ok)
      return { ok: false, message: `the judge's rating does not fit ${returnType}: ${converted.problem}` };
    const explanation = typeof json.explanation === 'string' ? json.explanation.trim() : '';
    return withExplanation(converted.value, explanation, limits);
  }
  const marked = lastMarkedRating(text);
  if (marked !== undefined) {
    const converted = convertScore(
      returnType === 'boolean' ? booleanWord(marked.rating) : marked.rating,
      returnType,
      limits.valueChars,
    );
    if (!converted.ok)
      return { ok: false, message: `the judge's rating does not fit ${returnType}: ${converted.problem}` };
    return withExplanation(converted.value, marked.rest, limits);
  }
  const cut = answer.finishReason === 'length' ? ' (its answer was cut at the token limit)' : '';
  return {
    ok: false,
    message: `the judge's answer holds no rating${cut}: neither a JSON object with "rating" nor [[rating]] in ${JSON.stringify(excerpt(text))}`,
  };
}

function withExplanation(value: ScoreValue, explanation: string, limits: VerdictLimits): Verdict {
  if (explanation === '') return { ok: true, value };
  const kept =
    explanation.length > limits.explanationChars
      ? `${explanation.slice(0, limits.explanationChars)}…`
      : explanation;
  return { ok: true, value, explanation: kept };
}

/** The answer as a JSON object: the whole text, a fenced block, or the outermost braces. */
function jsonObjectIn(text: string): Record<string, unknown> | undefined {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text)?.[1];
  const first = text.indexOf('{');
  const last = text.lastIndexOf('}');
  const candidates = [text, fenced, first >= 0 && last > first ? text.slice(first, last + 1) : undefined];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // Not JSON: try the next candidate, then the [[rating]] form.
    }
  }
  return undefined;
}

const MARKED = /\[\[\s*([^[\]\n]{1,200}?)\s*\]\]/g;

/** The last `[[rating]]` of the text, and the text without it (and without a "Rating:" label before it). */
function lastMarkedRating(text: string): { rating: string; rest: string } | undefined {
  let last: RegExpExecArray | undefined;
  for (const match of text.matchAll(MARKED)) last = match;
  if (last === undefined) return undefined;
  const before = text.slice(0, last.index).replace(/\b(final\s+)?(rating|score|verdict)\s*[:=]?\s*$/i, '');
  const after = text.slice(last.index + last[0].length);
  return {
    rating: last[1] as string,
    rest: `${before.trimEnd()}${after.trim() ? ` ${after.trim()}` : ''}`.trim(),
  };
}

/** Words judges use for a boolean, read as the boolean conversion reads "true" and "false". */
function booleanWord(rating: string): string {
  const word = rating.trim().toLowerCase();
  if (word === 'yes' || word === 'pass' || word === 'passed') return 'true';
  if (word === 'no' || word === 'fail' || word === 'failed') return 'false';
  return rating;
}

function excerpt(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
