// A plain JavaScript CommonJS app using the installed package (copied into a temporary app by
// packed.test.ts): traces one call to the sink at WAGGLE_SERVER_URL and prints what it saw.
const { enrichSpan, SDK_VERSION, WaggleTracer } = require('@waggle/sdk');

async function main() {
  const tracer = new WaggleTracer({
    apiKey: 'wgl_packed',
    project: 'packed',
    protocol: 'json',
    compression: 'none',
  });
  const greet = tracer.trace(async function greetFromRequire(name) {
    enrichSpan({ metadata: { loadedWith: 'require' } });
    return `hello ${name}`;
  });
  const answer = await greet('cjs');
  const flushed = await tracer.flush();
  await tracer.shutdown();
  console.log(
    JSON.stringify({ answer, flushed, version: SDK_VERSION, resolved: require.resolve('@waggle/sdk') }),
  );
}

main();
