import { describe, expect, it } from 'vitest';
import {
  custom,
  defineEnvironment,
  EnvironmentError,
  integer,
  json,
  list,
  matching,
  oneOf,
  optional,
  string,
  url,
  withDefault,
} from '../../../lambdas/config/schema';

const SPEC = defineEnvironment(
  'example-function',
  {
    BUCKET: string(),
    QUEUE_URL: url(),
    WINDOW_DAYS: optional(integer({ min: 1, max: 366 })),
    BATCH: withDefault(integer({ min: 1 }), 10),
    LEVEL: oneOf(['DEBUG', 'INFO']),
    FORMAT: withDefault(oneOf(['text', 'json'], { ignoreCase: true }), 'text'),
    IDS: list(),
    ACCOUNT: matching(/^\d{12}$/, 'a 12-digit AWS account id', '111111111111'),
    QUEUES: json('a JSON list of names', '["a"]', (value) => {
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
        throw new Error('not a list of strings');
      return value as string[];
    }),
  },
  {
    check: (values) => (values.IDS.includes(values.BUCKET) ? ['BUCKET must not be one of IDS'] : []),
  },
);

const VALID = {
  BUCKET: 'store',
  QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111111111111/events',
  LEVEL: 'INFO',
  IDS: 'a,b',
  ACCOUNT: '111111111111',
  QUEUES: '["q1","q2"]',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    SPEC.read(env);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvironmentError);
    return (error as EnvironmentError).problems;
  }
  throw new Error('the environment was accepted');
}

describe('defineEnvironment: read', () => {
  it('reads every variable into its type, optional ones as undefined or their default', () => {
    expect(SPEC.read(VALID)).toEqual({
      BUCKET: 'store',
      QUEUE_URL: VALID.QUEUE_URL,
      WINDOW_DAYS: undefined,
      BATCH: 10,
      LEVEL: 'INFO',
      FORMAT: 'text',
      IDS: ['a', 'b'],
      ACCOUNT: '111111111111',
      QUEUES: ['q1', 'q2'],
    });
    expect(SPEC.read({ ...VALID, WINDOW_DAYS: '366', BATCH: '500', FORMAT: ' JSON ' })).toMatchObject({
      WINDOW_DAYS: 366,
      BATCH: 500,
      FORMAT: 'json',
    });
  });

  it('treats an empty variable as unset', () => {
    expect(SPEC.read({ ...VALID, WINDOW_DAYS: '', BATCH: '' })).toMatchObject({
      WINDOW_DAYS: undefined,
      BATCH: 10,
    });
    expect(problemsOf({ ...VALID, BUCKET: '' })).toEqual(['BUCKET is not set']);
  });

  it('names every problem at once, in declaration order, in one error prefixed by the subject', () => {
    const env = { ...VALID, WINDOW_DAYS: 'x', LEVEL: 'LOUD' } as Record<string, string>;
    delete env.BUCKET;
    expect(() => SPEC.read(env)).toThrow(
      'example-function: BUCKET is not set; WINDOW_DAYS must be an integer from 1 to 366, got "x"; ' +
        'LEVEL must be one of DEBUG, INFO, got "LOUD"',
    );
  });

  it('says what each kind of variable must be', () => {
    expect(
      problemsOf({
        ...VALID,
        QUEUE_URL: 'sqs/events',
        WINDOW_DAYS: '367',
        BATCH: '1.5',
        FORMAT: 'xml',
        IDS: 'a,,b',
        ACCOUNT: '1234',
        QUEUES: '{"q":1}',
      }),
    ).toEqual([
      'QUEUE_URL must be an http(s) URL, got "sqs/events"',
      'WINDOW_DAYS must be an integer from 1 to 366, got "367"',
      'BATCH must be an integer of at least 1, got "1.5" (default 10)',
      'FORMAT must be one of text, json, got "xml" (default text)',
      'IDS must be a comma-separated list of non-empty items, got "a,,b"',
      'ACCOUNT must be a 12-digit AWS account id, got "1234"',
      'QUEUES must be a JSON list of names: not a list of strings',
    ]);
    expect(problemsOf({ ...VALID, QUEUES: '[oops' })).toEqual([
      'QUEUES must be a JSON list of names (JSON), got "[oops"',
    ]);
    expect(problemsOf({ ...VALID, QUEUE_URL: 'ftp://example.com/x', WINDOW_DAYS: '0' })).toEqual([
      'QUEUE_URL must be an http(s) URL, got "ftp://example.com/x"',
      'WINDOW_DAYS must be an integer from 1 to 366, got "0"',
    ]);
  });

  it('shortens a long value in the message', () => {
    const [problem] = problemsOf({ ...VALID, ACCOUNT: '9'.repeat(200) });
    expect(problem).toBe(`ACCOUNT must be a 12-digit AWS account id, got "${'9'.repeat(57)}..."`);
  });

  it('checks rules across variables only once each variable is valid', () => {
    expect(problemsOf({ ...VALID, IDS: 'store,b' })).toEqual(['BUCKET must not be one of IDS']);
    expect(problemsOf({ ...VALID, IDS: 'store,b', LEVEL: 'x' })).toEqual([
      'LEVEL must be one of DEBUG, INFO, got "x"',
    ]);
  });

  it('parses without throwing, and reads process.env by default', () => {
    expect(SPEC.parse({}).problems).toHaveLength(6);
    const spec = defineEnvironment('process', { PATH: string() });
    expect(spec.read().PATH).toBe(process.env.PATH);
  });

  it('lets a custom variable word its whole problem (a secret is not repeated)', () => {
    const spec = defineEnvironment('local', {
      KEY: custom('a key', 'k_1', (text, name) => {
        if (!text.startsWith('k_')) throw new Error(`${name} is not a key: make one with the CLI`);
        return text;
      }),
    });
    expect(() => spec.read({ KEY: 'secret' })).toThrow('local: KEY is not a key: make one with the CLI');
    expect(spec.read({ KEY: 'k_2' })).toEqual({ KEY: 'k_2' });
  });
});

describe('defineEnvironment: write and example', () => {
  it('writes what a construct gives, leaving unset optional variables out', () => {
    expect(
      SPEC.write({
        BUCKET: 'store',
        QUEUE_URL: VALID.QUEUE_URL,
        WINDOW_DAYS: undefined,
        BATCH: 20,
        LEVEL: 'DEBUG',
        IDS: ['a', 'b'],
        ACCOUNT: '111111111111',
        QUEUES: '["q"]',
      }),
    ).toEqual({
      BUCKET: 'store',
      QUEUE_URL: VALID.QUEUE_URL,
      BATCH: '20',
      LEVEL: 'DEBUG',
      IDS: 'a,b',
      ACCOUNT: '111111111111',
      QUEUES: '["q"]',
    });
  });

  it('refuses, at synth, a variable it does not declare, a missing required one and a bad number', () => {
    const input = { ...VALID, IDS: ['a'], LEVEL: 'INFO' as const };
    expect(() => SPEC.write({ ...input, EXTRA: 'x' } as never)).toThrow(
      'example-function: EXTRA is not one of its variables',
    );
    expect(() => SPEC.write({ ...input, BUCKET: undefined } as never)).toThrow(
      'example-function: BUCKET is required',
    );
    expect(() => SPEC.write({ ...input, WINDOW_DAYS: 400 })).toThrow('400 is not an integer from 1 to 366');
  });

  it('has an example environment that reads back', () => {
    const example = SPEC.example();
    expect(Object.keys(example)).toEqual(Object.keys(SPEC.variables));
    expect(() => SPEC.read({ ...example, IDS: 'a' })).not.toThrow();
  });
});
