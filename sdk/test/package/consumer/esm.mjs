// A plain JavaScript ES module app using the installed package (copied into a temporary app by
// packed.test.ts): traces one call to the sink at WAGGLE_SERVER_URL and prints what it saw.
import { enrichSpan, SDK_VERSION, WaggleTracer } from '@waggle/sdk';

const tracer = new WaggleTracer({
  apiKey: 'wgl_packed',
  project: 'packed',
  protocol: 'json',
  compression: 'none',
});
const greet = tracer.trace(async function greetFromImport(name) {
  enrichSpan({ metadata: { loadedWith: 'import' } });
  return `hello ${name}`;
});
const answer = await greet('esm');
const flushed = await tracer.flush();
await tracer.shutdown();
console.log(
  JSON.stringify({ answer, flushed, version: SDK_VERSION, resolved: import.meta.resolve('@waggle/sdk') }),
);
