/**
 * `npm run fake-provider`: a fake OpenAI-compatible LLM server on the laptop (the tests' fake,
 * test/support/fake-providers), so the proxy and the playground can be tried with no provider
 * account. It answers `echo: <your last message>`, streamed word by word when asked.
 */
import { parseArgs } from 'node:util';
import { startFakeOpenAICompatible } from '../test/support/fake-providers';

const USAGE = `Usage: npm run fake-provider -- [--port 8790] [--api-key sk-fake-local] [--chunk-delay 50] [--first-byte-delay 0] [--waggle http://127.0.0.1:4318]

  --port              port on 127.0.0.1 (0: any free port)
  --api-key           the key it expects as "Authorization: Bearer <key>"
  --chunk-delay       ms between streamed chunks (to watch tokens arrive)
  --first-byte-delay  ms before every answer starts
  --waggle            the local data plane's URL, for the commands printed`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: '8790' },
        'api-key': { type: 'string', default: 'sk-fake-local' },
        'chunk-delay': { type: 'string', default: '50' },
        'first-byte-delay': { type: 'string', default: '0' },
        waggle: { type: 'string', default: 'http://127.0.0.1:4318' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
})();

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function milliseconds(name: string, raw: string, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max)
    fail(`--${name} must be an integer from 0 to ${max}`);
  return value;
}

const port = milliseconds('port', values.port, 65_535);
const chunkDelayMs = milliseconds('chunk-delay', values['chunk-delay'], 60_000);
const firstByteDelayMs = milliseconds('first-byte-delay', values['first-byte-delay'], 60_000);
const apiKey = values['api-key'];
const waggle = values.waggle.replace(/\/+$/, '');

const fake = await startFakeOpenAICompatible({ port, apiKey }).catch((error: unknown) =>
  fail(`cannot listen on 127.0.0.1:${port}: ${error instanceof Error ? error.message : String(error)}`),
);
fake.respondWith((request) => {
  const body = request.body as { model?: unknown; stream?: unknown };
  console.log(
    `${new Date().toISOString()} ${request.method} ${request.path} model=${String(body.model)} stream=${body.stream === true}`,
  );
  // The fake records every request; a long session keeps only the recent ones.
  if (fake.requests.length > 100) fake.requests.splice(0, fake.requests.length - 100);
  return { chunkDelayMs, firstByteDelayMs };
});
const registration = JSON.stringify({ api_key: apiKey, base_url: fake.url });

console.log(`Fake OpenAI-compatible provider on ${fake.url} (expects "Authorization: Bearer ${apiKey}")
It answers POST /v1/chat/completions with "echo: <the last user message>" (any model name), streamed
word by word every ${chunkDelayMs} ms when "stream": true; usage counts words.

Register it as the project's openai-compatible provider (an API key with the admin scope, e.g.
npm run keys -- create --local --project <project> --scopes ingest,read,admin):

  curl -X PUT ${waggle}/v1/provider-keys/openai-compatible \\
    -H "Authorization: Bearer $WAGGLE_API_KEY" -H 'content-type: application/json' \\
    -d '${registration}'

Then call the proxy with a model "openai-compatible/<any name>":

  curl -N ${waggle}/v1/chat/completions -H "Authorization: Bearer $WAGGLE_API_KEY" \\
    -H 'content-type: application/json' \\
    -d '{"model":"openai-compatible/fake-model","stream":true,"messages":[{"role":"user","content":"hello there"}]}'

Ctrl-C stops it.`);

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void fake.close().then(() => process.exit(0));
  });
