import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor, redact } from '../../src/utils/redaction';

const R = '[REDACTED]';

// Assembled at run time so secret scanners do not flag this file.
const secrets = {
  openai: `sk-${'proj-'}${'A1b2C3d4'.repeat(5)}`,
  anthropic: `sk-ant-api03-${'Zx9_Yw8-'.repeat(5)}`,
  aws: `AKIA${'IOSFODNN7EXAMPLE'}`,
  github: `ghp_${'a1B2c3D4e5'.repeat(4)}`,
  githubPat: `github_pat_${'11ABCDEFG0'.repeat(3)}`,
  waggle: `wgl_${'Q'.repeat(43)}_abc123`,
  jwt: `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${'s1gn4tur3'.repeat(3)}`,
  privateKey: `-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabcdef==\n-----END RSA PRIVATE KEY-----`,
};

describe('default redactor: secret shapes in strings', () => {
  it.each(Object.entries(secrets))('masks %s inside surrounding text', (_name, secret) => {
    const out = redact(`before ${secret} after`) as string;
    expect(out).toBe(`before ${R} after`);
    expect(out).not.toContain(secret);
  });

  it('keeps the Bearer scheme and masks the token', () => {
    expect(redact('Authorization: Bearer abc.def-ghi_jkl')).toBe(`Authorization: Bearer ${R}`);
    expect(redact({ header: 'bearer 0123456789abcdef' })).toEqual({ header: `bearer ${R}` });
  });

  it('masks key=value and "key": "value" in serialized text', () => {
    expect(redact('https://x/login?user=bob&password=hunter22&next=1')).toBe(
      `https://x/login?user=bob&password=${R}&next=1`,
    );
    expect(redact('{"api_key": "abc123xyz", "model": "gpt"}')).toBe(`{"api_key": "${R}", "model": "gpt"}`);
  });

  it('leaves ordinary text, short words and near misses alone', () => {
    const text = 'The task-force asked about tokens; sk-short and AKIA123 are not keys. Bearer x';
    expect(redact(text)).toBe(text);
    expect(redact('alice@example.com')).toBe('alice@example.com');
  });

  it('masks several secrets in one string', () => {
    expect(redact(`${secrets.openai} and ${secrets.aws}`)).toBe(`${R} and ${R}`);
  });
});

describe('options', () => {
  it('masks e-mails only when asked', () => {
    const withEmails = createRedactor({ maskEmails: true });
    expect(withEmails('mail alice.smith+tag@example.co.uk now')).toBe(`mail ${R} now`);
    expect(redact('mail alice.smith+tag@example.co.uk now')).toBe('mail alice.smith+tag@example.co.uk now');
  });

  it('extra patterns, including non-global ones, replace every occurrence', () => {
    const r = createRedactor({ patterns: [/\bACCT-\d{6}\b/] });
    expect(r('ACCT-123456 then ACCT-654321')).toBe(`${R} then ${R}`);
  });

  it('custom replacement text', () => {
    expect(createRedactor({ replacement: '***' })(`key ${secrets.github}`)).toBe('key ***');
  });

  it('redactKeys adds exact names (case-insensitive) and patterns', () => {
    const r = createRedactor({ redactKeys: ['ssn', /^card/i] });
    expect(r({ SSN: '123', cardNumber: '4111', name: 'bob' })).toEqual({
      SSN: R,
      cardNumber: R,
      name: 'bob',
    });
  });

  it('custom hook sees redacted values with their path, bottom-up, and may rewrite them', () => {
    const seen: string[] = [];
    const r = createRedactor({
      custom: (value, path) => {
        seen.push(path.join('.'));
        return path.at(-1) === 'phone' ? 'PHONE' : value;
      },
    });
    expect(r({ user: { phone: '555-1234', note: `k=${secrets.aws}` } })).toEqual({
      user: { phone: 'PHONE', note: `k=${R}` },
    });
    expect(seen).toEqual(['user.phone', 'user.note', 'user', '']);
  });

  it('a throwing custom hook fails closed, and a non-serializable return is replaced', () => {
    const throwing = createRedactor({
      custom: (value, path) => {
        if (path[0] === 'bad') throw new Error('hook bug');
        return value;
      },
    });
    expect(throwing({ bad: 'x', good: 'y' })).toEqual({ bad: R, good: 'y' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(createRedactor({ custom: () => cyclic })({ a: 1 })).toBe(R);
  });
});

describe('keys and structure', () => {
  it('replaces values under secret-named keys in any casing, but keeps token counts', () => {
    const secretNamed = {
      password: 'p',
      userPassword: 'p',
      api_key: 'k',
      apiKey: 'k',
      'x-api-key': 'k',
      OPENAI_API_KEY: 'k',
      Authorization: 'Basic abc',
      accessToken: 't',
      client_secret: 's',
      credentials: { user: 'u', pass: 'p' },
    };
    const kept = {
      max_tokens: 256,
      prompt_tokens: 10,
      token_count: 5,
      author: 'ann',
      secret_name: 'visible',
      empty: null,
    };
    expect(redact({ ...secretNamed, ...kept })).toEqual({
      ...Object.fromEntries(Object.keys(secretNamed).map((key) => [key, R])),
      ...kept,
    });
  });

  it('does not mutate its input', () => {
    const input = { nested: { password: 'p', list: [secrets.openai] } };
    const snapshot = structuredClone(input);
    const out = redact(input) as typeof input;
    expect(input).toEqual(snapshot);
    expect(out).not.toBe(input);
    expect(out.nested.list[0]).toBe(R);
  });

  it('handles cycles, and shared references are not mistaken for cycles', () => {
    const shared = { v: 1 };
    const a: Record<string, unknown> = { name: 'a', left: shared, right: shared };
    a.self = a;
    expect(redact(a)).toEqual({ name: 'a', left: { v: 1 }, right: { v: 1 }, self: '[Circular]' });
  });

  it('turns awkward values into JSON-friendly ones', () => {
    const out = redact({
      big: 10n,
      sym: Symbol('s'),
      fn: function named() {},
      date: new Date(0),
      bad: new Date(Number.NaN),
      map: new Map<unknown, unknown>([
        ['token', 'x'],
        [1, 'one'],
      ]),
      set: new Set([secrets.aws]),
      err: new Error(`failed with ${secrets.openai}`),
      bytes: new Uint8Array(3),
      re: /a/g,
    }) as Record<string, unknown>;
    expect(out).toMatchObject({
      big: '10',
      sym: 'Symbol(s)',
      fn: '[Function named]',
      date: '1970-01-01T00:00:00.000Z',
      bad: 'Invalid Date',
      map: { token: R, 1: 'one' },
      set: [R],
      bytes: '[Uint8Array 3 bytes]',
      re: '/a/g',
    });
    expect(out.err).toMatchObject({ name: 'Error', message: `failed with ${R}` });
    expect(() => JSON.stringify(out)).not.toThrow();
  });

  it('throwing getters and hostile proxies become a marker instead of an exception', () => {
    const getter = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no');
        },
      },
    );
    expect(redact({ getter, proxy })).toEqual({ getter: '[Unserializable]', proxy: '[Unserializable]' });
  });

  it('caps depth', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 10; i++) deep = { next: deep };
    const out = createRedactor({ maxDepth: 3 })(deep);
    expect(out).toEqual({ next: { next: { next: '[MaxDepth]' } } });
  });
});

describe('properties', () => {
  const redactors = [redact, createRedactor({ maskEmails: true, custom: (v) => v })];

  it('never throws and always returns JSON-serializable output', () => {
    for (const r of redactors) {
      fc.assert(
        fc.property(
          fc.anything({
            withBigInt: true,
            withDate: true,
            withMap: true,
            withSet: true,
            withTypedArray: true,
          }),
          (value) => {
            const out = r(value);
            expect(() => JSON.stringify(out)).not.toThrow();
          },
        ),
        { numRuns: 300 },
      );
    }
  });

  it('is idempotent on strings and never leaves an embedded AWS key behind', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (prefix, suffix) => {
        const once = redact(`${prefix} ${secrets.aws} ${suffix}`) as string;
        expect(once).not.toContain(secrets.aws);
        expect(redact(once)).toBe(once);
      }),
    );
  });

  it('is fast for typical strings', () => {
    const text = 'The user asked about the weather in Paris and the model answered politely. '.repeat(14);
    const start = performance.now();
    for (let i = 0; i < 2000; i++) redact(text);
    // ~1 KB strings; a generous bound that still catches catastrophic backtracking.
    expect(performance.now() - start).toBeLessThan(500);
  });
});
