/**
 * A fake Anthropic Messages API: `POST /v1/messages` answered in Anthropic's wire format (a
 * `message` with text and tool_use blocks, or the SSE events message_start, content_block_start,
 * ping, content_block_delta, content_block_stop, message_delta, message_stop). Answers follow
 * reply-rule.ts; faults and scripted replies follow behaviour.ts. Verified against
 * @ai-sdk/anthropic in test/unit/fake-providers/anthropic.test.ts.
 */
import type { ServerResponse } from 'node:http';
import type { Behaviour, ScriptedError } from './behaviour';
import { type FakeServerOptions, type RecordedRequest, sendJson, streamEvents } from './fake-http-server';
import { type FakeProvider, startFakeProvider } from './fake-provider';
import { beginPlannedAnswer } from './plan';

export interface FakeAnthropicOptions extends FakeServerOptions {
  /** When set, `x-api-key: <apiKey>` is required (401 otherwise, as Anthropic answers). */
  apiKey?: string;
}

const MESSAGES_PATH = '/v1/messages';

export function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeProvider> {
  return startFakeProvider(options, async (request, res, { path, number, behaviour }) => {
    const requestId = `req_fake_${number}`;
    const headers = { 'request-id': requestId };
    const refuse = (error: ScriptedError) =>
      sendJson(request, res, error.status, anthropicError(error, requestId), headers);
    if (options.apiKey !== undefined) {
      const given = request.headers['x-api-key'];
      if (given === undefined) return refuse({ status: 401, message: 'x-api-key header is required' });
      if (given !== options.apiKey) return refuse({ status: 401, message: 'invalid x-api-key' });
    }
    if (request.method !== 'POST' || path !== MESSAGES_PATH)
      return refuse({ status: 404, message: 'Not Found' });
    if (!request.headers['anthropic-version'])
      return refuse({ status: 400, message: 'anthropic-version: header is required' });
    const invalid = checkMessagesBody(request.body);
    if (invalid) return refuse({ status: 400, message: invalid });
    await answerMessages(request, res, request.body as MessagesBody, behaviour(), {
      id: `msg_fake_${number}`,
      toolCallId: (index) => `toolu_fake_${number}_${index}`,
      headers,
      requestId,
    });
  });
}

interface MessagesBody {
  model: string;
  max_tokens: number;
  messages: Record<string, unknown>[];
  system?: unknown;
  stream?: boolean;
}

interface AnswerContext {
  id: string;
  toolCallId: (index: number) => string;
  headers: Record<string, string>;
  requestId: string;
}

async function answerMessages(
  request: RecordedRequest,
  res: ServerResponse,
  body: MessagesBody,
  behaviour: Behaviour,
  context: AnswerContext,
): Promise<void> {
  const streamed = body.stream === true;
  const plan = await beginPlannedAnswer(request, res, behaviour, {
    streamed,
    headers: context.headers,
    errorBody: (error) => anthropicError(error, context.requestId),
    plan: {
      messages: body.messages,
      system: body.system,
      maxTokens: body.max_tokens,
      toolCallId: context.toolCallId,
    },
  });
  if (!plan) return;
  const stopReason = plan.cut ? 'max_tokens' : plan.toolCalls.length > 0 ? 'tool_use' : 'end_turn';
  const withText = plan.text !== '' || plan.toolCalls.length === 0;
  const usage = (outputTokens: number) => ({
    input_tokens: plan.promptTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
  });
  const message = { id: context.id, type: 'message', role: 'assistant', model: body.model };
  if (!streamed) {
    const content = [
      ...(withText ? [{ type: 'text', text: plan.text }] : []),
      ...plan.toolCalls.map((call) => ({
        type: 'tool_use',
        id: call.id,
        name: call.name,
        input: parseInput(call.arguments),
      })),
    ];
    const answer = {
      ...message,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: usage(plan.completionTokens),
    };
    return sendJson(request, res, 200, answer, context.headers);
  }
  const event = (type: string, data: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const blocks: string[][] = [];
  if (withText)
    blocks.push([
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      ...plan.textPieces.map((text) =>
        event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
      ),
    ]);
  for (const call of plan.toolCalls) {
    const index = blocks.length;
    blocks.push([
      event('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
      }),
      ...['', ...call.fragments].map((partial_json) =>
        event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }),
      ),
    ]);
  }
  const events = [
    event('message_start', {
      message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: usage(1) },
    }),
    ...blocks.flatMap((block, index) => [
      ...block.slice(0, 1),
      // Anthropic sends a ping after the first block starts.
      ...(index === 0 ? [event('ping', {})] : []),
      ...block.slice(1),
      event('content_block_stop', { index }),
    ]),
    event('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: plan.completionTokens },
    }),
    event('message_stop', {}),
  ];
  const failure = behaviour.streamError;
  const sent = failure
    ? [
        ...events.slice(0, failure.afterEvents),
        `event: error\ndata: ${JSON.stringify(anthropicError({ ...failure, status: failure.status ?? 529 }, context.requestId))}\n\n`,
      ]
    : events;
  await streamEvents(request, res, behaviour, sent, context.headers);
}

function parseInput(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
}

function checkMessagesBody(body: unknown): string | undefined {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
    return 'The request body is not valid JSON.';
  const record = body as Record<string, unknown>;
  if (typeof record.model !== 'string' || record.model === '') return 'model: Field required';
  if (typeof record.max_tokens !== 'number' || !Number.isInteger(record.max_tokens) || record.max_tokens < 1)
    return 'max_tokens: Field required';
  if (!Array.isArray(record.messages) || record.messages.length === 0)
    return 'messages: at least one message is required';
  if (record.stream !== undefined && typeof record.stream !== 'boolean')
    return 'stream: Input should be a valid boolean';
  return undefined;
}

/** Anthropic's error types per status (its documented HTTP errors). */
const ANTHROPIC_ERRORS: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  403: {
    type: 'permission_error',
    message: 'Your API key does not have permission to use the specified resource.',
  },
  404: { type: 'not_found_error', message: 'Not Found' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: {
    type: 'rate_limit_error',
    message: 'Number of request tokens has exceeded your per-minute rate limit.',
  },
  500: { type: 'api_error', message: 'Internal server error' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

export function anthropicError(error: ScriptedError, requestId: string): Record<string, unknown> {
  const defaults = ANTHROPIC_ERRORS[error.status] ??
    ANTHROPIC_ERRORS[error.status >= 500 ? 500 : 400] ?? { type: 'api_error', message: '' };
  return {
    type: 'error',
    error: { type: error.type ?? defaults.type, message: error.message ?? defaults.message },
    request_id: requestId,
  };
}
