/**
 * A tiny typed schema for configuration read from environment variables, shared by the side that
 * sets them (a CDK construct, through `write`) and the side that reads them (a Lambda handler or the
 * local platform, through `read`), so a variable is named once and a rename breaks compilation on
 * both sides. `read` checks every variable at once and throws one EnvironmentError listing every
 * problem, e.g. "query-api: EVENT_STORE_BUCKET is not set; DEFAULT_READ_WINDOW_DAYS must be an
 * integer from 1 to 366, got "x"". No dependencies: it ships in every function's bundle.
 */

/** One variable: how its text is checked and turned into a value, and how a construct writes it. */
interface Variable<Value, Input = string, Required extends boolean = boolean> {
  /** Unset (or empty) is a problem when true; otherwise the value is `fallback`. */
  readonly required: Required;
  /** What the text must be, in the problem message: "an integer from 1 to 366". */
  readonly expected: string;
  /** A valid text, for tests and benchmarks that need a whole environment (undefined: leave it unset). */
  readonly example: string | undefined;
  /** The value when the variable is unset or empty (only when not required). */
  readonly fallback: Value | undefined;
  /** The value of a non-empty text; throws an Error whose message is the whole problem otherwise. */
  parse(text: string, name: string): Value;
  /** The text a construct sets for `input`. */
  write(input: Input): string;
}

// biome-ignore lint/suspicious/noExplicitAny: a schema holds variables of any value and input type.
type AnyVariable = Variable<any, any, boolean>;
export type Schema = Readonly<Record<string, AnyVariable>>;

/** What `read` returns: each variable's value, typed. */
export type ValuesOf<S extends Schema> = { readonly [K in keyof S]: ReturnType<S[K]['parse']> };

type InputOfVariable<T extends AnyVariable> = Parameters<T['write']>[0];
type RequiredKeys<S extends Schema> = { [K in keyof S]: S[K]['required'] extends true ? K : never }[keyof S];
type OptionalKeys<S extends Schema> = Exclude<keyof S, RequiredKeys<S>>;

/** What `write` takes: every required variable, optional ones when they are set. */
export type InputOf<S extends Schema> = { [K in RequiredKeys<S>]: InputOfVariable<S[K]> } & {
  [K in OptionalKeys<S>]?: InputOfVariable<S[K]> | undefined;
};

export type Environment = Readonly<Record<string, string | undefined>>;

/** Every problem of one environment, in declaration order. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
  constructor(
    readonly subject: string,
    readonly problems: readonly string[],
  ) {
    super(`${subject}: ${problems.join('; ')}`);
  }
}

export interface EnvironmentSpec<S extends Schema> {
  /** Whose environment this is, at the start of every problem message ("query-api"). */
  readonly subject: string;
  readonly variables: S;
  /** The values, or every problem (nothing thrown). */
  parse(env: Environment): { values: ValuesOf<S>; problems: string[] };
  /** The values; throws one EnvironmentError naming every problem. */
  read(env?: Environment): ValuesOf<S>;
  /** The variables a construct sets; optional ones left undefined are not set at all. */
  write(input: InputOf<S>): Record<string, string>;
  /** A valid environment: every variable that has an example, set to it. */
  example(): Record<string, string>;
}

export interface SpecOptions<S extends Schema> {
  /** Problems that involve more than one variable, checked once each variable is valid on its own. */
  check?(values: ValuesOf<S>): string[];
}

export function defineEnvironment<S extends Schema>(
  subject: string,
  variables: S,
  options: SpecOptions<S> = {},
): EnvironmentSpec<S> {
  const entries = Object.entries(variables);
  const spec: EnvironmentSpec<S> = {
    subject,
    variables,
    parse(env) {
      const problems: string[] = [];
      const values: Record<string, unknown> = {};
      for (const [name, variable] of entries) {
        const text = env[name];
        if (text === undefined || text === '') {
          if (variable.required) problems.push(`${name} is not set`);
          values[name] = variable.fallback;
          continue;
        }
        try {
          values[name] = variable.parse(text, name);
        } catch (error) {
          problems.push((error as Error).message);
        }
      }
      if (problems.length === 0 && options.check) problems.push(...options.check(values as ValuesOf<S>));
      return { values: values as ValuesOf<S>, problems };
    },
    read(env = process.env) {
      const { values, problems } = spec.parse(env);
      if (problems.length > 0) throw new EnvironmentError(subject, problems);
      return values;
    },
    write(input) {
      const written: Record<string, string> = {};
      const given = input as Record<string, unknown>;
      for (const [name, variable] of entries) {
        const value = given[name];
        if (value === undefined) {
          if (variable.required) throw new Error(`${subject}: ${name} is required`);
          continue;
        }
        written[name] = variable.write(value);
      }
      for (const name of Object.keys(given))
        if (!(name in variables)) throw new Error(`${subject}: ${name} is not one of its variables`);
      return written;
    },
    example() {
      const example: Record<string, string> = {};
      for (const [name, variable] of entries)
        if (variable.example !== undefined) example[name] = variable.example;
      return example;
    },
  };
  return spec;
}

/** The usual problem: "NAME must be <expected>, got "<text>"" (long texts shortened). */
function mustBe(name: string, expected: string, text: string): Error {
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return new Error(`${name} must be ${expected}, got ${JSON.stringify(shown)}`);
}

function required<V, I>(
  expected: string,
  example: string,
  parse: (text: string, name: string) => V,
  write: (input: I) => string,
): Variable<V, I, true> {
  return { required: true, expected, example, fallback: undefined, parse, write };
}

const asText = (input: string): string => input;

/** Any non-empty text. */
export function string(example = 'example'): Variable<string, string, true> {
  return required('a non-empty string', example, (text) => text, asText);
}

/** A text matching `pattern`: "a 12-digit AWS account id". */
export function matching(pattern: RegExp, expected: string, example: string): Variable<string, string, true> {
  return required(
    expected,
    example,
    (text, name) => {
      if (!pattern.test(text)) throw mustBe(name, expected, text);
      return text;
    },
    asText,
  );
}

/** A KMS key ARN (any partition), as the constructs pass a key's `keyArn`. */
export function kmsKeyArn(): Variable<string, string, true> {
  return matching(
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/,
    'a KMS key ARN',
    'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  );
}

/** An absolute http or https URL (kept as the text). */
export function url(example = 'https://example.com/'): Variable<string, string, true> {
  const expected = 'an http(s) URL';
  return required(
    expected,
    example,
    (text, name) => {
      if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol))
        throw mustBe(name, expected, text);
      return text;
    },
    asText,
  );
}

/** A whole number within bounds (a construct writes a number); `expected` words it otherwise. */
export function integer(
  bounds: { min?: number; max?: number; expected?: string } = {},
): Variable<number, number, true> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = bounds;
  const expected =
    bounds.expected ??
    (bounds.max !== undefined
      ? `an integer from ${min} to ${max}`
      : bounds.min !== undefined
        ? `an integer of at least ${min}`
        : 'an integer');
  return required(
    expected,
    String(Math.max(min, Math.min(max, 1))),
    (text, name) => {
      const value = Number(text);
      if (!/^-?\d+$/.test(text) || value < min || value > max) throw mustBe(name, expected, text);
      return value;
    },
    (input) => {
      if (!Number.isInteger(input) || input < min || input > max)
        throw new Error(`${input} is not ${expected}`);
      return String(input);
    },
  );
}

/** One of a few words; with `ignoreCase`, any case, read as the listed spelling. */
export function oneOf<const T extends string>(
  values: readonly T[],
  options: { ignoreCase?: boolean } = {},
): Variable<T, T, true> {
  const expected = `one of ${values.join(', ')}`;
  const normal = (text: string) => (options.ignoreCase ? text.trim().toLowerCase() : text);
  return required(
    expected,
    values[0] as string,
    (text, name) => {
      const found = values.find((value) => normal(value) === normal(text));
      if (found === undefined) throw mustBe(name, expected, text);
      return found;
    },
    asText,
  );
}

/** Comma-separated non-empty items (a construct writes the list). */
export function list(example = 'a,b'): Variable<string[], readonly string[], true> {
  const expected = 'a comma-separated list of non-empty items';
  return required(
    expected,
    example,
    (text, name) => {
      const items = text.split(',');
      if (items.some((item) => item === '')) throw mustBe(name, expected, text);
      return items;
    },
    (input) => input.join(','),
  );
}

/**
 * JSON checked by `validate`, which returns the typed value or throws an Error saying what is wrong
 * ("[0] must have id, region and queueUrl strings"). A construct writes the JSON text itself (it may
 * hold deploy-time tokens: Stack.toJsonString).
 */
export function json<T>(
  expected: string,
  example: string,
  validate: (value: unknown) => T,
): Variable<T, string, true> {
  return required(
    expected,
    example,
    (text, name) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw mustBe(name, `${expected} (JSON)`, text);
      }
      try {
        return validate(parsed);
      } catch (error) {
        throw new Error(`${name} must be ${expected}: ${(error as Error).message}`);
      }
    },
    asText,
  );
}

/**
 * A variable checked by `parse`, which throws an Error whose message is the whole problem (for a
 * message that must not repeat the text, a secret for instance).
 */
export function custom<T>(
  expected: string,
  example: string,
  parse: (text: string, name: string) => T,
): Variable<T, string, true> {
  return required(expected, example, parse, asText);
}

/** Unset (or empty) reads as undefined. */
export function optional<V, I>(variable: Variable<V, I, true>): Variable<V | undefined, I, false> {
  return { ...variable, required: false, fallback: undefined };
}

/** Unset (or empty) reads as `fallback`. */
export function withDefault<V, I>(variable: Variable<V, I, true>, fallback: V): Variable<V, I, false> {
  return {
    ...variable,
    required: false,
    fallback,
    parse(text, name) {
      try {
        return variable.parse(text, name);
      } catch (error) {
        throw new Error(`${(error as Error).message} (default ${String(fallback)})`);
      }
    },
  };
}
