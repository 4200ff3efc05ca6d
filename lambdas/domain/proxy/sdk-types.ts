/**
 * The AI SDK provider-interface types (LanguageModelV4 and its call options, results and stream
 * parts), taken from the adapters themselves: @ai-sdk/provider is not a direct dependency, and
 * each adapter may carry its own copy of it.
 */
import type { createOpenAI } from '@ai-sdk/openai';

export type ProviderModel = ReturnType<ReturnType<typeof createOpenAI>['chat']>;
export type CallOptions = Parameters<ProviderModel['doGenerate']>[0];
export type GenerateResult = Awaited<ReturnType<ProviderModel['doGenerate']>>;
export type StreamPart =
  Awaited<ReturnType<ProviderModel['doStream']>>['stream'] extends ReadableStream<infer P> ? P : never;
export type FinishReason = GenerateResult['finishReason'];
export type Usage = GenerateResult['usage'];
export type PromptMessage = CallOptions['prompt'][number];
export type FunctionTool = Extract<NonNullable<CallOptions['tools']>[number], { type: 'function' }>;
export type ToolChoice = NonNullable<CallOptions['toolChoice']>;
