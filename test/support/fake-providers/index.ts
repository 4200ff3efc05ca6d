/**
 * Fake LLM providers on 127.0.0.1 speaking the providers' real wire formats, so no test calls the
 * internet. See reply-rule.ts for what they answer and behaviour.ts for the faults they can play.
 */
export { type FakeAnthropicOptions, startFakeAnthropic } from './anthropic';
export type { Behaviour, ScriptedError, ScriptedToolCall } from './behaviour';
export type { AnswerRecord, RecordedRequest } from './fake-http-server';
export type { FakeProvider } from './fake-provider';
export { type FakeOpenAIOptions, startFakeOpenAI, startFakeOpenAICompatible } from './openai-compatible';
export { lastUserText } from './plan';
export { argumentFragments, countTokens, ECHO_PREFIX, wordPieces } from './reply-rule';
