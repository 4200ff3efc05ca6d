/**
 * A judge's prompt with its `{{variables}}` filled from the event it scores (EvaluationInput). A
 * variable names a key of the input, then a path into it: `{{inputs}}`, `{{inputs.question}}`,
 * `{{outputs.choices.0.message.content}}` (array items by index), `{{metadata.gen_ai.system}}` (a key
 * that itself holds dots is matched whole), `{{ground_truth}}`. Strings go in as they are, other
 * values as JSON. Placeholders are found and filled by the configurations' template code, the same
 * syntax a prompt configuration uses.
 */
import { fillTemplate, templateVariables } from '../../configurations/template-variables';
import { EVALUATION_INPUT_SECTIONS, type EvaluationInput } from '../evaluator';

export interface JudgePromptLimits {
  /** Characters of one variable's value; a longer value is cut and says so. */
  valueChars: number;
  /** Characters of the whole filled prompt; a longer one is refused (not sent). */
  promptChars: number;
}

/**
 * The filled prompt travels in the judge's model event (inputs.chat_history), which goes on the
 * events queue: 200,000 characters are at most 600 KB of UTF-8 (3 bytes a UTF-16 unit), within an SQS message (1 MiB) once
 * compressed, and publishRecords writes a larger record to S3 first anyway (tested with a prompt of
 * barely compressible text at the limit). About 50,000 tokens: within the context of judge models.
 */
export const DEFAULT_JUDGE_PROMPT_LIMITS: Readonly<JudgePromptLimits> = Object.freeze({
  valueChars: 20_000,
  promptChars: 200_000,
});

/** The keys of EvaluationInput a variable may start with. */
export const PROMPT_ROOTS = [
  'event_id',
  'session_id',
  'event_type',
  'event_name',
  'model',
  'provider',
  ...EVALUATION_INPUT_SECTIONS,
  'ground_truth',
] as const satisfies readonly (keyof EvaluationInput)[];

export type RenderedPrompt =
  | { ok: true; text: string; variables: string[] }
  | { ok: false; kind: 'missing-ground-truth' | 'judge-error'; message: string };

export function renderJudgePrompt(
  prompt: string,
  input: EvaluationInput,
  limits: JudgePromptLimits = DEFAULT_JUDGE_PROMPT_LIMITS,
): RenderedPrompt {
  const template = [{ role: 'user' as const, content: prompt }];
  const names = templateVariables(template);
  const values: Record<string, string> = {};
  for (const name of names) {
    const [root, ...path] = name.split('.');
    if (!(PROMPT_ROOTS as readonly string[]).includes(root as string)) {
      return {
        ok: false,
        kind: 'judge-error',
        message: `the prompt's {{${name}}} is not a variable: a variable starts with one of ${PROMPT_ROOTS.join(', ')}`,
      };
    }
    const start = input[root as keyof EvaluationInput];
    if (root === 'ground_truth' && (start === undefined || start === null)) {
      return {
        ok: false,
        kind: 'missing-ground-truth',
        message: `the prompt uses {{${name}}}, and this event has no ground truth`,
      };
    }
    const found = path.length === 0 ? { value: start } : lookUp(start, path);
    if (found === undefined || found.value === undefined) {
      return {
        ok: false,
        kind: 'judge-error',
        message: `the prompt's {{${name}}} names nothing in this event`,
      };
    }
    values[name] = capped(textOf(found.value), limits.valueChars);
  }
  const text = (fillTemplate(template, values)[0] as { content: string }).content;
  if (text.length > limits.promptChars) {
    return {
      ok: false,
      kind: 'judge-error',
      message: `the filled prompt has ${text.length} characters, more than the ${limits.promptChars} a judge sends`,
    };
  }
  return { ok: true, text, variables: names };
}

/**
 * The value at `path` under `value`: an object's key (the longest run of segments that is a key
 * wins, so `gen_ai.system` finds a key with a dot in it), an array's item by index.
 */
function lookUp(value: unknown, path: readonly string[]): { value: unknown } | undefined {
  if (path.length === 0) return { value };
  if (Array.isArray(value)) {
    const head = path[0] as string;
    if (!/^\d+$/.test(head)) return undefined;
    const index = Number(head);
    return index < value.length ? lookUp(value[index], path.slice(1)) : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  for (let take = path.length; take >= 1; take--) {
    const key = path.slice(0, take).join('.');
    if (Object.hasOwn(record, key)) {
      const found = lookUp(record[key], path.slice(take));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

function capped(text: string, chars: number): string {
  if (text.length <= chars) return text;
  return `${text.slice(0, chars)}… [${text.length - chars} more characters cut]`;
}
