/**
 * What a fake answers to one request, before it is put in a provider's wire format: the reply text
 * and its stream pieces, the tool calls and their argument fragments, the token counts, whether
 * the request's max tokens cut the reply. The rule is reply-rule.ts's.
 */
import type { ServerResponse } from 'node:http';
import type { Behaviour } from './behaviour';
import { beginOrAnswerError, type RecordedRequest } from './fake-http-server';
import { argumentFragments, countTokens, cutToWords, ECHO_PREFIX, textsOf, wordPieces } from './reply-rule';

export interface PlannedToolCall {
  id: string;
  name: string;
  /** The arguments JSON text. */
  arguments: string;
  /** That text in stream fragments. */
  fragments: string[];
}

export interface AnswerPlan {
  text: string;
  textPieces: string[];
  toolCalls: PlannedToolCall[];
  /** True when the request's max tokens cut the reply text. */
  cut: boolean;
  promptTokens: number;
  completionTokens: number;
}

export interface PlanInput {
  /** The request's messages (OpenAI's or Anthropic's shape). */
  messages: readonly unknown[];
  /** Anthropic's top-level system, counted as prompt. */
  system?: unknown;
  maxTokens?: number | undefined;
  behaviour: Behaviour;
  toolCallId: (index: number) => string;
}

export function answerPlan(input: PlanInput): AnswerPlan {
  const scriptedCalls = input.behaviour.toolCalls ?? [];
  const wanted =
    input.behaviour.text ?? (scriptedCalls.length > 0 ? '' : ECHO_PREFIX + lastUserText(input.messages));
  const { text, cut } = cutToWords(wanted, input.maxTokens);
  const toolCalls = scriptedCalls.map((call, index) => {
    const json = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
    return {
      id: call.id ?? input.toolCallId(index),
      name: call.name,
      arguments: json,
      fragments: argumentFragments(json),
    };
  });
  const promptTexts = [...textsOf(input.system), ...input.messages.flatMap(textsOf)];
  return {
    text,
    textPieces: wordPieces(text),
    toolCalls,
    cut,
    promptTokens: promptTexts.reduce((sum, part) => sum + countTokens(part), 0),
    completionTokens:
      countTokens(text) + toolCalls.reduce((sum, call) => sum + countTokens(call.arguments), 0),
  };
}

/**
 * What every answer does before its wire format: beginOrAnswerError (hang, first-byte delay, reset,
 * a scripted error in the provider's shape), then the plan. Undefined when the answer ended there.
 */
export async function beginPlannedAnswer(
  request: RecordedRequest,
  res: ServerResponse,
  behaviour: Behaviour,
  answer: {
    streamed: boolean;
    headers: Record<string, string>;
    errorBody: (error: NonNullable<Behaviour['error']>) => unknown;
    plan: Omit<PlanInput, 'behaviour'>;
  },
): Promise<AnswerPlan | undefined> {
  if (!(await beginOrAnswerError(request, res, behaviour, answer))) return undefined;
  return answerPlan({ ...answer.plan, behaviour });
}

/** The text of the last message with role `user` (text parts joined by a space), or ''. */
export function lastUserText(messages: readonly unknown[]): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index] as { role?: unknown; content?: unknown } | null;
    if (message?.role === 'user') return textsOf(message.content).join(' ');
  }
  return '';
}
