/**
 * OpenAI's Responses API (`POST /v1/responses`) on the OpenAI fake: what @ai-sdk/openai calls for
 * `openai(model)` (its chat completions are `openai.chat(model)`). A `response` object, or its
 * SSE events (response.created, response.in_progress, response.output_item.added,
 * response.content_part.added, response.output_text.delta/done, response.content_part.done,
 * response.function_call_arguments.delta/done, response.output_item.done, response.completed or
 * response.incomplete). Same reply rule and behaviours as the chat completions.
 */
import type { ServerResponse } from 'node:http';
import type { Behaviour } from './behaviour';
import { type RecordedRequest, sendJson, streamEvents } from './fake-http-server';
import { openAIError } from './openai-errors';
import { beginPlannedAnswer } from './plan';

export interface ResponsesBody {
  model: string;
  input: string | Record<string, unknown>[];
  instructions?: string | null;
  stream?: boolean;
  max_output_tokens?: number | null;
}

export interface ResponsesContext {
  number: number;
  created: number;
  headers: Record<string, string>;
}

export function checkResponsesBody(body: unknown): string | undefined {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
    return 'We could not parse the JSON body of your request.';
  const record = body as Record<string, unknown>;
  if (typeof record.model !== 'string' || record.model === '') return "Missing required parameter: 'model'.";
  if (typeof record.input !== 'string' && !Array.isArray(record.input))
    return "Invalid type for 'input': expected a string or an array of input items.";
  if (record.stream !== undefined && typeof record.stream !== 'boolean')
    return "Invalid type for 'stream': expected a boolean.";
  return undefined;
}

/** Input items as messages for the reply rule: a string is one user message; tool outputs count as prompt. */
function inputMessages(input: ResponsesBody['input']): unknown[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  return input.map((item) =>
    item.type === 'function_call_output' ? { role: 'tool', content: item.output } : item,
  );
}

export async function answerResponses(
  request: RecordedRequest,
  res: ServerResponse,
  body: ResponsesBody,
  behaviour: Behaviour,
  context: ResponsesContext,
): Promise<void> {
  const streamed = body.stream === true;
  const plan = await beginPlannedAnswer(request, res, behaviour, {
    streamed,
    headers: context.headers,
    errorBody: openAIError,
    plan: {
      messages: inputMessages(body.input),
      system: body.instructions ?? undefined,
      maxTokens: body.max_output_tokens ?? undefined,
      toolCallId: (index) => `call_fake_${context.number}_${index}`,
    },
  });
  if (!plan) return;
  const messageId = `msg_fake_${context.number}`;
  const withText = plan.text !== '' || plan.toolCalls.length === 0;
  const textPart = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });
  const messageItem = (status: string, text?: string) => ({
    id: messageId,
    type: 'message',
    status,
    role: 'assistant',
    content: text === undefined ? [] : [textPart(text)],
  });
  const callItem = (call: (typeof plan.toolCalls)[number], index: number, status: string, args: string) => ({
    id: `fc_fake_${context.number}_${index}`,
    type: 'function_call',
    status,
    call_id: call.id,
    name: call.name,
    arguments: args,
  });
  const usage = {
    input_tokens: plan.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: plan.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: plan.promptTokens + plan.completionTokens,
  };
  const response = (status: string, output: unknown[], withUsage: boolean) => ({
    id: `resp_fake_${context.number}`,
    object: 'response',
    created_at: context.created,
    status,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: body.model,
    output,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    usage: withUsage ? usage : null,
  });
  const finalStatus = plan.cut ? 'incomplete' : 'completed';
  const finalOutput = [
    ...(withText ? [messageItem('completed', plan.text)] : []),
    ...plan.toolCalls.map((call, index) => callItem(call, index, 'completed', call.arguments)),
  ];
  if (!streamed)
    return sendJson(request, res, 200, response(finalStatus, finalOutput, true), context.headers);

  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
  const events: (() => string)[] = [
    () => event('response.created', { response: response('in_progress', [], false) }),
    () => event('response.in_progress', { response: response('in_progress', [], false) }),
  ];
  let outputIndex = 0;
  if (withText) {
    const at = { item_id: messageId, output_index: outputIndex, content_index: 0 };
    const output_index = outputIndex++;
    events.push(
      () => event('response.output_item.added', { output_index, item: messageItem('in_progress') }),
      () => event('response.content_part.added', { ...at, part: textPart('') }),
      ...plan.textPieces.map(
        (delta) => () => event('response.output_text.delta', { ...at, delta, logprobs: [] }),
      ),
      () => event('response.output_text.done', { ...at, text: plan.text, logprobs: [] }),
      () => event('response.content_part.done', { ...at, part: textPart(plan.text) }),
      () => event('response.output_item.done', { output_index, item: messageItem('completed', plan.text) }),
    );
  }
  for (const [index, call] of plan.toolCalls.entries()) {
    const output_index = outputIndex++;
    const item_id = `fc_fake_${context.number}_${index}`;
    events.push(
      () =>
        event('response.output_item.added', { output_index, item: callItem(call, index, 'in_progress', '') }),
      ...call.fragments.map(
        (delta) => () => event('response.function_call_arguments.delta', { item_id, output_index, delta }),
      ),
      () =>
        event('response.function_call_arguments.done', { item_id, output_index, arguments: call.arguments }),
      () =>
        event('response.output_item.done', {
          output_index,
          item: callItem(call, index, 'completed', call.arguments),
        }),
    );
  }
  events.push(() => event(`response.${finalStatus}`, { response: response(finalStatus, finalOutput, true) }));
  const failure = behaviour.streamError;
  const kept = failure ? events.slice(0, failure.afterEvents) : events;
  // Built in order so sequence_number counts the events actually sent.
  const sent = kept.map((make) => make());
  if (failure) {
    const { error } = openAIError({ ...failure, status: failure.status ?? 500 });
    sent.push(event('error', { code: error.code, message: error.message, param: null }));
  }
  await streamEvents(request, res, behaviour, sent, context.headers);
}
