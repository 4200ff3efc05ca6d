/**
 * A deterministic generator of realistic OTLP GenAI trace requests for benchmarks and tests: chat spans
 * with gen_ai.* attributes and message text, tool and chain spans around them, honeyhive_* attributes on
 * some, a resource with service.name. The same request is returned as OTLP protobuf and OTLP JSON.
 */

import { seededRandom } from '../seeded-random';
import { loadOtlpProtoTypes, type PlainKeyValue, type PlainSpan } from './otlp-proto-schema';

interface GenAiRequest {
  protobuf: Uint8Array;
  json: string;
  spanCount: number;
}

const SPANS_PER_TRACE = 8;
const BASE_TIME_NS = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z

const MODELS = [
  { provider: 'openai', model: 'gpt-4o-mini-2024-07-18' },
  { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' },
  { provider: 'aws.bedrock', model: 'anthropic.claude-3-5-haiku-20241022-v1:0' },
  { provider: 'openai', model: 'gpt-4.1' },
];

const QUESTIONS = [
  'What is the refund policy for orders shipped outside the EU?',
  'Summarise the attached support ticket in two sentences.',
  'Translate "où est la gare ?" into English and explain the grammar.',
  'Which of our plans includes SSO and audit logs?',
  'Draft a polite reply declining the meeting on Friday ☕',
];

const ANSWERS = [
  'Orders shipped outside the EU can be refunded within 30 days of delivery once the item is returned.',
  'The customer cannot log in after the password reset; support asked for a screenshot and the browser version.',
  'It means "where is the station?". The inverted subject-verb order is typical of formal questions.',
  'SSO and audit logs are part of the Enterprise plan; the Team plan offers SSO only as an add-on.',
  'Thank you for the invitation. Unfortunately I am not available on Friday; could we find another slot?',
];

function randomBytes(random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

const str = (key: string, value: string): PlainKeyValue => ({ key, value: { stringValue: value } });
const int = (key: string, value: number): PlainKeyValue => ({ key, value: { intValue: value } });
const dbl = (key: string, value: number): PlainKeyValue => ({ key, value: { doubleValue: value } });
const bool = (key: string, value: boolean): PlainKeyValue => ({ key, value: { boolValue: value } });

function chatAttributes(random: () => number, index: number, sessionId: string): PlainKeyValue[] {
  const { provider, model } = pick(random, MODELS);
  const question = pick(random, QUESTIONS);
  const answer = pick(random, ANSWERS);
  const inputTokens = 200 + Math.floor(random() * 3000);
  const outputTokens = 20 + Math.floor(random() * 400);
  const attributes = [
    str('gen_ai.operation.name', 'chat'),
    str('gen_ai.provider.name', provider),
    str('gen_ai.request.model', model),
    str('gen_ai.response.model', model),
    str('gen_ai.response.id', `chatcmpl-${index.toString(36).padStart(8, '0')}`),
    dbl('gen_ai.request.temperature', 0.7),
    int('gen_ai.request.max_tokens', 1024),
    int('gen_ai.usage.input_tokens', inputTokens),
    int('gen_ai.usage.output_tokens', outputTokens),
    { key: 'gen_ai.response.finish_reasons', value: { arrayValue: { values: [{ stringValue: 'stop' }] } } },
    str(
      'gen_ai.input.messages',
      JSON.stringify([
        { role: 'system', parts: [{ type: 'text', content: 'You are a helpful support assistant.' }] },
        { role: 'user', parts: [{ type: 'text', content: question }] },
      ]),
    ),
    str(
      'gen_ai.output.messages',
      JSON.stringify([
        { role: 'assistant', parts: [{ type: 'text', content: answer }], finish_reason: 'stop' },
      ]),
    ),
    bool('gen_ai.request.stream', index % 3 === 0),
  ];
  if (index % 4 === 0) {
    attributes.push(
      str('honeyhive_session_id', sessionId),
      str('honeyhive_event_type', 'model'),
      str('honeyhive_metadata.customer_tier', index % 8 === 0 ? 'enterprise' : 'team'),
    );
  }
  return attributes;
}

function makeSpan(
  random: () => number,
  index: number,
  traceId: Uint8Array,
  rootSpanId: Uint8Array,
): PlainSpan {
  const positionInTrace = index % SPANS_PER_TRACE;
  const isRoot = positionInTrace === 0;
  const isTool = positionInTrace % 3 === 2;
  const sessionId = `session-${Math.floor(index / (SPANS_PER_TRACE * 4))}`;
  const start = BASE_TIME_NS + BigInt(index) * 250_000_000n + BigInt(Math.floor(random() * 1_000_000));
  const durationNs = BigInt(5_000_000 + Math.floor(random() * 2_000_000_000));
  const failed = index % 37 === 0;
  let name: string;
  let attributes: PlainKeyValue[];
  if (isRoot) {
    name = 'support_agent.run';
    attributes = [
      str('honeyhive_event_type', 'chain'),
      str('honeyhive_session_id', sessionId),
      str('session.id', sessionId),
      str('input.value', pick(random, QUESTIONS)),
      str('output.value', pick(random, ANSWERS)),
      str('honeyhive_user_properties.user_id', `user-${index % 97}`),
      int('honeyhive_metrics.num_steps', SPANS_PER_TRACE - 1),
      str('traceloop.span.kind', 'workflow'),
      str('traceloop.entity.name', 'support_agent'),
      str('deployment.environment.name', 'production'),
      str('app.request.id', `req-${index.toString(16).padStart(12, '0')}`),
      str('app.route', '/api/assistant/answer'),
    ];
  } else if (isTool) {
    name = 'execute_tool search_knowledge_base';
    attributes = [
      str('gen_ai.operation.name', 'execute_tool'),
      str('gen_ai.tool.name', 'search_knowledge_base'),
      str('gen_ai.tool.call.id', `call_${index.toString(36).padStart(10, 'x')}`),
      str('gen_ai.tool.type', 'function'),
      str(
        'gen_ai.tool.call.arguments',
        JSON.stringify({ query: pick(random, QUESTIONS), top_k: 5, filters: { lang: 'en' } }),
      ),
      str(
        'gen_ai.tool.call.result',
        JSON.stringify({ documents: ['kb-1042', 'kb-2210', 'kb-0031'], answer: pick(random, ANSWERS) }),
      ),
      str('honeyhive_event_type', 'tool'),
      int('app.retrieval.documents', 3),
      dbl('app.retrieval.best_score', Math.round(random() * 1000) / 1000),
      str('code.function.name', 'searchKnowledgeBase'),
    ];
  } else {
    name = 'chat';
    attributes = chatAttributes(random, index, sessionId);
  }
  return {
    traceId,
    spanId: isRoot ? rootSpanId : randomBytes(random, 8),
    ...(isRoot ? {} : { parentSpanId: rootSpanId }),
    name,
    kind: isRoot ? 2 : 3,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + durationNs).toString(),
    attributes,
    events: failed
      ? [
          {
            timeUnixNano: (start + durationNs / 2n).toString(),
            name: 'exception',
            attributes: [
              str('exception.type', 'RateLimitError'),
              str('exception.message', 'Too many requests'),
            ],
          },
        ]
      : [],
    status: failed ? { code: 2, message: 'RateLimitError: Too many requests' } : { code: 0 },
  };
}

function makePlainRequest(spanCount: number) {
  const random = seededRandom(0x5eed);
  const spans: PlainSpan[] = [];
  let traceId = randomBytes(random, 16);
  let rootSpanId = randomBytes(random, 8);
  for (let index = 0; index < spanCount; index++) {
    if (index % SPANS_PER_TRACE === 0) {
      traceId = randomBytes(random, 16);
      rootSpanId = randomBytes(random, 8);
    }
    spans.push(makeSpan(random, index, traceId, rootSpanId));
  }
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            str('service.name', 'support-assistant'),
            str('service.version', '2.14.0'),
            str('deployment.environment.name', 'production'),
            str('telemetry.sdk.language', 'nodejs'),
            str('telemetry.sdk.name', 'opentelemetry'),
            str('telemetry.sdk.version', '3.1.1'),
            str('cloud.provider', 'aws'),
            str('cloud.region', 'eu-west-1'),
            int('process.pid', 4242),
          ],
        },
        scopeSpans: [{ scope: { name: '@opentelemetry/instrumentation-openai', version: '0.52.0' }, spans }],
      },
    ],
  };
}

const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** OTLP/JSON differs from the protobufjs plain form only in its ids: hex instead of bytes. */
function toOtlpJson(request: ReturnType<typeof makePlainRequest>): string {
  return JSON.stringify(request, (key, value) => {
    if (value instanceof Uint8Array && (key === 'traceId' || key === 'spanId' || key === 'parentSpanId')) {
      return toHex(value);
    }
    return value;
  });
}

export function makeGenAiRequest(spans = 512): GenAiRequest {
  const plain = makePlainRequest(spans);
  const type = loadOtlpProtoTypes().exportTraceServiceRequest;
  const protobuf = type.encode(type.fromObject(plain)).finish();
  return { protobuf, json: toOtlpJson(plain), spanCount: spans };
}
