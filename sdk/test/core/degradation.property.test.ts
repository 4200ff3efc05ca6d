/**
 * Property: for any arguments, return values, thrown values and enrichment payloads, a traced
 * function behaves exactly like the undecorated one; SDK trouble never reaches the caller.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { enrichSpan, WaggleTracer } from '../../src/index';
import { memoryTracer } from './helpers';

/** Values built to break serialisers: made fresh per run, since some are stateful. */
const HOSTILE: (() => unknown)[] = [
  () => {
    const cyclic: Record<string, unknown> = { a: [1] };
    cyclic.self = cyclic;
    (cyclic.a as unknown[]).push(cyclic);
    return cyclic;
  },
  () =>
    Object.defineProperty({ ok: 1 }, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter throws');
      },
    }),
  () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  },
  () =>
    new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('ownKeys');
        },
        get() {
          throw new Error('get');
        },
        getPrototypeOf() {
          throw new Error('getPrototypeOf');
        },
      },
    ),
  () => ({
    toJSON() {
      throw new Error('toJSON');
    },
  }),
  () =>
    Object.defineProperty({}, 'then', {
      get() {
        throw new Error('then getter');
      },
    }),
  () =>
    Object.defineProperty({}, 'then', {
      enumerable: true,
      value: () => {
        throw new Error('then call');
      },
    }),
  () => 'x'.repeat(2_000_000),
  () => Array.from({ length: 20_000 }, (_, i) => i),
  () => new Map<unknown, unknown>([[{ k: 1 }, new Set([1n])]]),
  () => Symbol('s'),
  () => 10n ** 30n,
  () => Object.create(null),
  () => new Error('plain error', { cause: new Error('cause') }),
  () => () => 'fn',
  () => new Uint8Array(4),
  () => Number.NaN,
];

// Thunks: fast-check itself inspects generated values, which a revoked Proxy does not survive.
const hostile = fc.oneof(
  fc
    .anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true })
    .map((v) => () => v),
  fc.integer({ min: 0, max: HOSTILE.length - 1 }).map((i) => HOSTILE[i] as () => unknown),
);
const make = (thunks: (() => unknown)[]) => thunks.map((f) => f());

type Outcome = { threw: boolean; value: unknown };

function outcomeOf(run: () => unknown): Outcome {
  try {
    return { threw: false, value: run() };
  } catch (value) {
    return { threw: true, value };
  }
}

async function settledOf(run: () => unknown): Promise<Outcome> {
  try {
    return { threw: false, value: await run() };
  } catch (value) {
    return { threw: true, value };
  }
}

function same(a: Outcome, b: Outcome): void {
  expect(b.threw).toBe(a.threw);
  expect(Object.is(a.value, b.value)).toBe(true);
}

/**
 * Resolving a promise with a revoked Proxy or a thenable whose `then` throws rejects with an error
 * the runtime (or that `then`) makes afresh on every call: same class and message, new instance.
 */
function sameSettled(a: Outcome, b: Outcome): void {
  if (a.threw && b.threw && !Object.is(a.value, b.value) && a.value instanceof Error) {
    expect(b.value).toBeInstanceOf(a.value.constructor);
    expect((b.value as Error).message).toBe(a.value.message);
    return;
  }
  same(a, b);
}

const quiet = { debug: () => {}, warn: () => {} };
const memory = memoryTracer({ logger: quiet });
// A real export pipeline to a loopback port where nothing listens: export fails in the background.
const real = new WaggleTracer({
  apiKey: 'k',
  project: 'p',
  serverUrl: 'http://127.0.0.1:9',
  scheduledDelayMs: 10,
  logger: quiet,
});
const tracers = [memory.tracer, real];
afterAll(async () => {
  await Promise.all(tracers.map((t) => t.shutdown(200)));
});

function enrichAll(tracer: WaggleTracer, payload: unknown): void {
  enrichSpan(payload as never);
  const sections = { metadata: payload, metrics: payload, feedback: payload, inputs: payload };
  tracer.enrichSpan({
    ...sections,
    outputs: payload,
    config: payload,
    userProperties: payload,
    error: payload,
  } as never);
  tracer.enrichSession({ metadata: payload } as never);
}

/** Which tracer, the call's arguments, what it returns or throws, whether it throws, what it enriches with. */
const callCases = [
  fc.constantFrom(0, 1),
  fc.array(hostile, { maxLength: 4 }),
  hostile,
  fc.boolean(),
  hostile,
] as const;

describe('graceful degradation (property)', () => {
  it('sync: a traced function returns or throws exactly what the undecorated one does', () => {
    fc.assert(
      fc.property(...callCases, (which, argThunks, valueThunk, throws, payloadThunk) => {
        const [args, value, payload] = [make(argThunks), valueThunk(), payloadThunk()];
        const tracer = tracers[which] as WaggleTracer;
        const plain = (..._args: unknown[]): unknown => {
          if (tracer.enabled) enrichAll(tracer, payload);
          if (throws) throw value;
          return value;
        };
        const traced = tracer.trace(plain, { name: 'llm call', metadata: { p: payload } as never });
        same(
          outcomeOf(() => plain(...args)),
          outcomeOf(() => traced(...args)),
        );
      }),
      { numRuns: 150 },
    );
    expect(memory.spans().length).toBeGreaterThan(0);
  });

  it('async: the traced promise settles exactly like the undecorated one', async () => {
    await fc.assert(
      fc.asyncProperty(...callCases, async (which, argThunks, valueThunk, throws, payloadThunk) => {
        const [args, value, payload] = [make(argThunks), valueThunk(), payloadThunk()];
        const tracer = tracers[which] as WaggleTracer;
        const plain = async (..._args: unknown[]): Promise<unknown> => {
          await null;
          enrichAll(tracer, payload);
          if (throws) throw value;
          return value;
        };
        const traced = tracer.trace(plain, { name: 'tool search' });
        sameSettled(await settledOf(() => plain(...args)), await settledOf(() => traced(...args)));
      }),
      { numRuns: 150 },
    );
  });

  it('generators: the traced one yields and throws the same values', () => {
    fc.assert(
      fc.property(
        fc.array(hostile, { maxLength: 5 }),
        hostile,
        fc.boolean(),
        (itemThunks, endThunk, throws) => {
          const [items, end] = [make(itemThunks), endThunk()];
          function* plain(): Generator<unknown, unknown> {
            for (const item of items) yield item;
            if (throws) throw end;
            return end;
          }
          const run = (gen: Generator<unknown, unknown>) => {
            const seen: unknown[] = [];
            const last = outcomeOf(() => {
              for (;;) {
                const r = gen.next();
                if (r.done) return r.value;
                seen.push(r.value);
              }
            });
            return { seen, last };
          };
          const a = run(plain());
          const b = run(memory.tracer.trace(plain)());
          expect(b.seen.length).toBe(a.seen.length);
          b.seen.forEach((v, i) => {
            expect(Object.is(v, a.seen[i])).toBe(true);
          });
          same(a.last, b.last);
        },
      ),
      { numRuns: 100 },
    );
  });
});
