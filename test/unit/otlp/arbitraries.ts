/**
 * fast-check arbitraries of ExportTraceServiceRequest in the protobufjs plain-object form (camelCase,
 * ids as bytes, 64-bit integers as decimal strings), for the oracle and robustness tests.
 */
import fc from 'fast-check';
import type { PlainAnyValue, PlainKeyValue, PlainSpan } from '../../../bench/otlp/otlp-proto-schema';

export type { PlainAnyValue, PlainKeyValue };

/** A span with every field present, so the encoders and the oracle see each one. */
export type FullPlainSpan = Required<PlainSpan> & { status: Required<PlainSpan['status']> };

export interface PlainRequest {
  resourceSpans: {
    resource: { attributes: PlainKeyValue[] };
    scopeSpans: { scope: { name: string; version: string }; spans: FullPlainSpan[] }[];
  }[];
}

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 60 }));
const key = fc.oneof(
  fc.constantFrom('gen_ai.request.model', 'service.name', '__proto__', 'constructor', ''),
  text,
);
const int64 = fc
  .oneof(
    fc.integer({ min: -1000, max: 1000 }).map(BigInt),
    fc.bigInt({ min: -(2n ** 54n), max: 2n ** 54n }),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  )
  .map(String);
const uint64 = fc
  .oneof(
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    fc.bigInt({ min: 1_600_000_000_000_000_000n, max: 1_900_000_000_000_000_000n }),
  )
  .map(String);
const id = fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 20 }));

const { keyValue } = fc.letrec<{ anyValue: PlainAnyValue; keyValue: PlainKeyValue }>((tie) => ({
  anyValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text.map((stringValue) => ({ stringValue })),
    fc.boolean().map((boolValue) => ({ boolValue })),
    int64.map((intValue) => ({ intValue })),
    fc.double().map((doubleValue) => ({ doubleValue })),
    fc.uint8Array({ maxLength: 12 }).map((bytesValue) => ({ bytesValue })),
    fc.constant({}),
    fc.array(tie('anyValue'), { maxLength: 4 }).map((values) => ({ arrayValue: { values } })),
    fc.array(tie('keyValue'), { maxLength: 4 }).map((values) => ({ kvlistValue: { values } })),
  ),
  keyValue: fc.record({ key, value: tie('anyValue') }, { requiredKeys: ['key'] }),
}));

const attributes = fc.array(keyValue, { maxLength: 6 });

const span: fc.Arbitrary<FullPlainSpan> = fc.record({
  traceId: id,
  spanId: id,
  parentSpanId: id,
  traceState: text,
  name: text,
  kind: fc.integer({ min: 0, max: 5 }),
  startTimeUnixNano: uint64,
  endTimeUnixNano: uint64,
  attributes,
  events: fc.array(fc.record({ timeUnixNano: uint64, name: text, attributes }), { maxLength: 2 }),
  links: fc.array(fc.record({ traceId: id, spanId: id, attributes }), { maxLength: 2 }),
  status: fc.record({ code: fc.integer({ min: 0, max: 2 }), message: text }),
});

export const arbitraryPlainRequest: fc.Arbitrary<PlainRequest> = fc.record({
  resourceSpans: fc.array(
    fc.record({
      resource: fc.record({ attributes }),
      scopeSpans: fc.array(
        fc.record({
          scope: fc.record({ name: text, version: text }),
          spans: fc.array(span, { maxLength: 3 }),
        }),
        { maxLength: 2 },
      ),
    }),
    { maxLength: 2 },
  ),
});
