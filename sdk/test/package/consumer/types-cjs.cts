// Type-checked (tsc --noEmit, NodeNext) against the installed package's `require` types.
import sdk = require('@waggle/sdk');

const tracer: sdk.WaggleTracer = new sdk.WaggleTracer({ project: 'packed', compression: 'none' });
const double: (n: number) => number = tracer.trace((n: number) => n * 2, { eventType: 'tool' });
const kind: sdk.EventType = sdk.inferEventType('searchDocs');

// @ts-expect-error the types are real: enrichSpan takes an object
sdk.enrichSpan('metadata');

export = { double, kind };
