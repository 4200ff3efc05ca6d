import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_URL, defineTracerConfig, resolveConfig, WaggleTracer } from '../../src/index';

describe('resolveConfig', () => {
  it('takes options over the typed config over the environment', () => {
    const env = { WAGGLE_API_KEY: 'env-key', WAGGLE_PROJECT: 'env-project', WAGGLE_SOURCE: 'env-source' };
    const config = defineTracerConfig({ project: 'typed-project', source: 'typed-source' });
    const result = resolveConfig({ config, source: 'option-source' }, env);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.apiKey).toBe('env-key');
    expect(result.config.project).toBe('typed-project');
    expect(result.config.source).toBe('option-source');
    expect(result.config.serverUrl).toBe(DEFAULT_SERVER_URL);
  });

  it('reads the HoneyHive variable names and strips a trailing slash', () => {
    const result = resolveConfig(
      {},
      { HH_API_KEY: 'hh', HH_PROJECT: 'p', HH_API_URL: 'https://hh.example/' },
    );
    expect(result).toMatchObject({
      ok: true,
      config: { apiKey: 'hh', project: 'p', serverUrl: 'https://hh.example' },
    });
  });

  it('prefers WAGGLE_* over HH_* names', () => {
    const result = resolveConfig({}, { HH_API_KEY: 'hh', WAGGLE_API_KEY: 'w', WAGGLE_PROJECT: 'p' });
    expect(result.ok && result.config.apiKey).toBe('w');
  });

  it('lists every problem of an invalid config', () => {
    const result = resolveConfig({ serverUrl: 'ftp://x', protocol: 'xml' as never, maxQueueSize: -1 }, {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join('\n')).toMatch(/apiKey is missing/);
    expect(result.problems.join('\n')).toMatch(/project is missing/);
    expect(result.problems.join('\n')).toMatch(/serverUrl/);
    expect(result.problems.join('\n')).toMatch(/protocol/);
    expect(result.problems.join('\n')).toMatch(/maxQueueSize/);
  });

  it('needs no key when disabled', () => {
    expect(resolveConfig({ disabled: true }, {}).ok).toBe(true);
  });
});

describe('an invalid config', () => {
  it('disables the tracer with one warning and traced functions still work', async () => {
    const warnings: string[] = [];
    const tracer = new WaggleTracer({
      serverUrl: 'not a url',
      logger: { debug: () => {}, warn: (m) => warnings.push(m) },
    });
    expect(tracer.enabled).toBe(false);
    const add = tracer.trace((a: number, b: number) => a + b);
    expect(add(2, 3)).toBe(5);
    tracer.startSpan('x').end();
    tracer.enrichSpan({ metadata: { a: 1 } });
    expect(await tracer.flush()).toBe(true);
    await tracer.shutdown();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/tracer disabled.*apiKey is missing/);
  });
});

describe('invalid configs, one at a time', () => {
  const valid = { apiKey: 'k', project: 'p', serverUrl: 'http://127.0.0.1:9' };
  it.each([
    ['an invalid URL', { serverUrl: 'http//nope' }, /serverUrl must be an http\(s\) URL/],
    ['a non-http URL', { serverUrl: 'ftp://127.0.0.1' }, /serverUrl/],
    ['a missing key', { apiKey: undefined }, /apiKey is missing/],
    ['an empty key', { apiKey: '  ' }, /apiKey must be a non-empty string/],
    ['a bad protocol', { protocol: 'grpc' }, /protocol must be one of protobuf, json/],
    ['a non-boolean flag', { registerGlobal: 'yes' }, /registerGlobal must be true or false/],
    ['a logger without methods', { logger: { warn: 1 } }, /logger must have debug and warn/],
  ])('%s: disabled with one warning, user functions still run', async (_label, bad, message) => {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (m: string) => warnings.push(m);
    try {
      const logger = { debug: () => {}, warn: (m: string) => warnings.push(m) };
      const tracer = new WaggleTracer({ ...valid, logger, ...(bad as object) });
      expect(tracer.enabled).toBe(false);
      expect(tracer.config).toBeUndefined();
      expect(tracer.trace((a: number, b: number) => a + b)(2, 3)).toBe(5);
      const error = new Error('user error');
      const failing = tracer.trace(async () => {
        throw error;
      });
      await expect(failing()).rejects.toBe(error);
      expect(await tracer.flush()).toBe(true);
      await tracer.shutdown();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/\[waggle\] tracer disabled, invalid configuration/);
      expect(warnings[0]).toMatch(message);
    } finally {
      console.warn = original;
    }
  });

  it('is validated once: the environment is read at construction only', () => {
    const env = { WAGGLE_API_KEY: 'k', WAGGLE_PROJECT: 'p' };
    const result = resolveConfig({}, env);
    env.WAGGLE_PROJECT = 'changed';
    expect(result.ok && result.config.project).toBe('p');
  });

  it('options whose getters throw still give a disabled tracer, not an exception', () => {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (m: string) => warnings.push(m);
    try {
      const hostile = Object.defineProperty({}, 'apiKey', {
        enumerable: true,
        get() {
          throw new Error('getter');
        },
      });
      const tracer = new WaggleTracer(hostile);
      expect(tracer.enabled).toBe(false);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/configuration could not be read/);
    } finally {
      console.warn = original;
    }
  });

  it('a logger that throws costs the log line only', () => {
    const tracer = new WaggleTracer({
      serverUrl: 'bad',
      logger: {
        debug: () => {},
        warn: () => {
          throw new Error('logger broken');
        },
      },
    });
    expect(tracer.enabled).toBe(false);
    expect(tracer.trace(() => 7)()).toBe(7);
  });
});
