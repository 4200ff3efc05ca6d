/**
 * OpenAI <-> AI SDK translation: messages with tool calls and tool results into the provider
 * prompt, results and stream parts back into chat.completion and chunks (finish reasons, tool-call
 * deltas, usage).
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/domain/errors';
import { parseChatRequest } from '../../../lambdas/domain/proxy/chat-request';
import type { GenerateResult, StreamPart } from '../../../lambdas/domain/proxy/sdk-types';
import { ChunkTranslator, finishReasonOf, toChatCompletion } from '../../../lambdas/domain/proxy/to-openai';
import { toCallOptions, toPrompt } from '../../../lambdas/domain/proxy/to-provider';

const identity = { id: 'chatcmpl-1', created: 1_700_000_000, model: 'openai/gpt-4o' };
const usage = (input: number, output: number, cached = 0): GenerateResult['usage'] => ({
  inputTokens: { total: input, noCache: input - cached, cacheRead: cached, cacheWrite: undefined },
  outputTokens: { total: output, text: output, reasoning: undefined },
});

describe('requests to the provider', () => {
  it('turns a tool-calling conversation into the prompt, with tool names on tool results', () => {
    const request = parseChatRequest({
      model: 'anthropic/claude-sonnet-4',
      messages: [
        { role: 'developer', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '12C' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      max_completion_tokens: 50,
      stop: 'END',
    });
    expect(toPrompt(request.messages)).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Oslo' } },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call_1',
            toolName: 'get_weather',
            output: { type: 'text', value: '12C' },
          },
        ],
      },
    ]);
    const options = toCallOptions(request);
    expect(options).toMatchObject({
      maxOutputTokens: 50,
      stopSequences: ['END'],
      toolChoice: { type: 'tool', toolName: 'get_weather' },
      tools: [{ type: 'function', name: 'get_weather', inputSchema: { type: 'object' } }],
    });
  });

  it('refuses a tool result that answers no earlier call, n other than 1, and unknown fields', () => {
    const orphan = parseChatRequest({
      model: 'openai/gpt-4o',
      messages: [{ role: 'tool', tool_call_id: 'x', content: 'r' }],
    });
    expect(() => toPrompt(orphan.messages)).toThrow(/answers no tool call/);
    expect(() =>
      parseChatRequest({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }], n: 2 }),
    ).toThrow(/n must be 1/);
    expect(() =>
      parseChatRequest({
        model: 'openai/gpt-4o',
        messages: [{ role: 'user', content: 'hi' }],
        logit_bias: {},
      }),
    ).toThrow(ValidationError);
    expect(() =>
      parseChatRequest({
        model: 'openai/gpt-4o',
        messages: [{ role: 'user', content: 'hi' }],
        stream_options: { include_usage: true },
      }),
    ).toThrow(/only allowed with stream/);
    expect(() =>
      parseChatRequest({
        model: 'openai/gpt-4o',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 5,
        max_completion_tokens: 6,
      }),
    ).toThrow(/differ/);
  });
});

describe('answers in the OpenAI shape', () => {
  it('maps finish reasons', () => {
    expect(finishReasonOf({ unified: 'stop', raw: 'end_turn' })).toBe('stop');
    expect(finishReasonOf({ unified: 'length', raw: 'max_tokens' })).toBe('length');
    expect(finishReasonOf({ unified: 'tool-calls', raw: 'tool_use' })).toBe('tool_calls');
    expect(finishReasonOf({ unified: 'content-filter', raw: undefined })).toBe('content_filter');
    expect(finishReasonOf({ unified: 'other', raw: undefined })).toBe('stop');
  });

  it('builds a chat.completion with tool calls, usage and cached tokens', () => {
    const result = {
      content: [{ type: 'tool-call', toolCallId: 'call_9', toolName: 'lookup', input: '{"q":1}' }],
      finishReason: { unified: 'tool-calls', raw: 'tool_use' },
      usage: usage(100, 7, 40),
      warnings: [],
    } as unknown as GenerateResult;
    expect(toChatCompletion(result, identity)).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'openai/gpt-4o',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: [
              { id: 'call_9', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } },
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 100,
        completion_tokens: 7,
        total_tokens: 107,
        prompt_tokens_details: { cached_tokens: 40 },
      },
    });
  });

  it('streams role first, text deltas, tool-call deltas by index, the finish chunk and the usage chunk', () => {
    const translator = new ChunkTranslator(identity, true);
    const parts = [
      { type: 'stream-start', warnings: [] },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'Hi' },
      { type: 'tool-input-start', id: 'call_a', toolName: 'f' },
      { type: 'tool-input-delta', id: 'call_a', delta: '{"x":' },
      { type: 'tool-input-delta', id: 'call_a', delta: '1}' },
      { type: 'tool-input-end', id: 'call_a' },
      { type: 'tool-call', toolCallId: 'call_a', toolName: 'f', input: '{"x":1}' },
      { type: 'tool-call', toolCallId: 'call_b', toolName: 'g', input: '{}' },
      { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(10, 4) },
    ] as StreamPart[];
    const chunks = parts.flatMap((part) => translator.translate(part));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta)).toEqual([
      { role: 'assistant', content: 'Hi' },
      { tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '1}' } }] },
      {
        tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'g', arguments: '{}' } }],
      },
      {},
      undefined,
    ]);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
    });
    expect(
      chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.id === 'chatcmpl-1'),
    ).toBe(true);
    expect(translator.summary).toMatchObject({
      text: 'Hi',
      toolCalls: [
        { id: 'call_a', function: { name: 'f', arguments: '{"x":1}' } },
        { id: 'call_b', function: { name: 'g', arguments: '{}' } },
      ],
      tokens: { promptTokens: 10, completionTokens: 4 },
    });
  });

  it('sends no usage chunk unless include_usage was asked', () => {
    const translator = new ChunkTranslator(identity, false);
    const chunks = translator.translate({
      type: 'finish',
      finishReason: { unified: 'length', raw: 'length' },
      usage: usage(1, 1),
    } as StreamPart);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).not.toHaveProperty('usage');
    expect(chunks[0]?.choices[0]).toMatchObject({
      delta: { role: 'assistant', content: '' },
      finish_reason: 'length',
    });
  });
});
