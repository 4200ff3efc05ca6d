/**
 * A fake OpenAI-compatible server: `POST /v1/chat/completions` answered in OpenAI's wire format
 * (a `chat.completion`, or `chat.completion.chunk` SSE events ending in `data: [DONE]`),
 * `POST /v1/responses` (openai-responses.ts) and `GET /v1/models`. Answers follow reply-rule.ts;
 * faults and scripted replies follow behaviour.ts. Verified against the openai client,
 * @ai-sdk/openai-compatible and @ai-sdk/openai in test/unit/fake-providers/.
 */
import type { ServerResponse } from 'node:http';
import type { Behaviour } from './behaviour';
import { type FakeServerOptions, type RecordedRequest, sendJson, streamEvents } from './fake-http-server';
import { type FakeProvider, startFakeProvider } from './fake-provider';
import { openAIError } from './openai-errors';
import { answerResponses, checkResponsesBody, type ResponsesBody } from './openai-responses';
import { beginPlannedAnswer } from './plan';

export interface FakeOpenAIOptions extends FakeServerOptions {
  /** When set, `Authorization: Bearer <apiKey>` is required (401 otherwise, as OpenAI answers). */
  apiKey?: string;
  /** `created` of every answer (default: now, in seconds). */
  created?: number;
  /** Listed by GET /v1/models (default ['fake-model']); chat accepts any model name. */
  models?: string[];
}

const CHAT_PATH = '/v1/chat/completions';
const RESPONSES_PATH = '/v1/responses';

export function startFakeOpenAICompatible(options: FakeOpenAIOptions = {}): Promise<FakeProvider> {
  return startFakeProvider(options, async (request, res, { path, number, behaviour }) => {
    const headers = { 'x-request-id': `req_fake_${number}` };
    if (options.apiKey !== undefined) {
      const refusal = checkBearer(request.headers.authorization, options.apiKey);
      if (refusal) return sendJson(request, res, 401, openAIError({ status: 401, ...refusal }), headers);
    }
    if (request.method === 'GET' && path === '/v1/models') {
      const data = (options.models ?? ['fake-model']).map((id) => ({
        id,
        object: 'model',
        created: options.created ?? 0,
        owned_by: 'fake',
      }));
      return sendJson(request, res, 200, { object: 'list', data }, headers);
    }
    if (request.method === 'POST' && path === RESPONSES_PATH) {
      const invalid = checkResponsesBody(request.body);
      if (invalid)
        return sendJson(request, res, 400, openAIError({ status: 400, message: invalid }), headers);
      return answerResponses(request, res, request.body as ResponsesBody, behaviour(), {
        number,
        created: options.created ?? Math.floor(Date.now() / 1000),
        headers,
      });
    }
    if (request.method !== 'POST' || path !== CHAT_PATH) {
      const message = `Invalid URL (${request.method} ${path})`;
      return sendJson(request, res, 404, openAIError({ status: 404, message, code: null }), headers);
    }
    const invalid = checkChatBody(request.body);
    if (invalid) return sendJson(request, res, 400, openAIError({ status: 400, message: invalid }), headers);
    await answerChat(request, res, request.body as ChatBody, behaviour(), {
      id: `chatcmpl-fake-${number}`,
      toolCallId: (index) => `call_fake_${number}_${index}`,
      created: options.created ?? Math.floor(Date.now() / 1000),
      headers,
    });
  });
}

interface ChatBody {
  model: string;
  messages: Record<string, unknown>[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
}

interface AnswerContext {
  id: string;
  toolCallId: (index: number) => string;
  created: number;
  headers: Record<string, string>;
}

async function answerChat(
  request: RecordedRequest,
  res: ServerResponse,
  body: ChatBody,
  behaviour: Behaviour,
  context: AnswerContext,
): Promise<void> {
  const streamed = body.stream === true;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  const plan = await beginPlannedAnswer(request, res, behaviour, {
    streamed,
    headers: context.headers,
    errorBody: openAIError,
    plan: { messages: body.messages, maxTokens, toolCallId: context.toolCallId },
  });
  if (!plan) return;
  const finishReason = plan.cut ? 'length' : plan.toolCalls.length > 0 ? 'tool_calls' : 'stop';
  const usage = {
    prompt_tokens: plan.promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
  };
  // Key order as OpenAI sends them.
  const head = (object: string) => ({
    id: context.id,
    object,
    created: context.created,
    model: body.model,
    system_fingerprint: null,
  });
  if (!streamed) {
    const toolCalls = plan.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
    const message = {
      role: 'assistant',
      content: plan.text === '' && toolCalls.length > 0 ? null : plan.text,
      refusal: null,
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    };
    const completion = {
      ...head('chat.completion'),
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage,
    };
    return sendJson(request, res, 200, completion, context.headers);
  }
  const includeUsage = body.stream_options?.include_usage === true;
  // With include_usage, OpenAI sends `usage: null` on every chunk but the last.
  const chunk = (choices: unknown[], extra: Record<string, unknown> = includeUsage ? { usage: null } : {}) =>
    `data: ${JSON.stringify({ ...head('chat.completion.chunk'), choices, ...extra })}\n\n`;
  const delta = (value: Record<string, unknown>, finish: string | null = null) =>
    chunk([{ index: 0, delta: value, logprobs: null, finish_reason: finish }]);
  const events = [
    delta({ role: 'assistant', content: '', refusal: null }),
    ...plan.textPieces.map((piece) => delta({ content: piece })),
    ...plan.toolCalls.flatMap((call, index) => [
      delta({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
      }),
      ...call.fragments.map((fragment) =>
        delta({ tool_calls: [{ index, function: { arguments: fragment } }] }),
      ),
    ]),
    delta({}, finishReason),
    ...(includeUsage ? [chunk([], { usage })] : []),
    'data: [DONE]\n\n',
  ];
  const failure = behaviour.streamError;
  const sent = failure
    ? [
        ...events.slice(0, failure.afterEvents),
        `data: ${JSON.stringify(openAIError({ ...failure, status: failure.status ?? 500 }))}\n\n`,
      ]
    : events;
  await streamEvents(request, res, behaviour, sent, context.headers);
}

function checkChatBody(body: unknown): string | undefined {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
    return "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)";
  const record = body as Record<string, unknown>;
  if (typeof record.model !== 'string' || record.model === '') return 'you must provide a model parameter';
  if (!Array.isArray(record.messages)) return "Missing required parameter: 'messages'.";
  if (record.messages.length === 0)
    return "Invalid 'messages': empty array. Expected an array with minimum length 1.";
  if (record.stream !== undefined && typeof record.stream !== 'boolean')
    return "Invalid type for 'stream': expected a boolean.";
  return undefined;
}

function checkBearer(
  header: string | undefined,
  expected: string,
): { message: string; code: string | null } | undefined {
  if (header === undefined || !header.startsWith('Bearer '))
    return {
      message:
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      code: null,
    };
  const given = header.slice('Bearer '.length);
  if (given === expected) return undefined;
  return {
    message: `Incorrect API key provided: ${given.slice(0, 3)}***${given.slice(-4)}.`,
    code: 'invalid_api_key',
  };
}

/** The same fake: it also speaks OpenAI's Responses API, which @ai-sdk/openai's `openai(model)` calls. */
export const startFakeOpenAI = startFakeOpenAICompatible;
