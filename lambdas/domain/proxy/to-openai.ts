/**
 * The AI SDK's provider results -> OpenAI's chat.completion and chat.completion.chunk objects, so
 * the openai client reads an Anthropic or Bedrock answer exactly as it reads OpenAI's.
 */
import type {
  FinishReason as LanguageModelV4FinishReason,
  GenerateResult as LanguageModelV4GenerateResult,
  StreamPart as LanguageModelV4StreamPart,
  Usage as LanguageModelV4Usage,
} from './sdk-types';

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
}

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: [
    {
      index: 0;
      message: { role: 'assistant'; content: string | null; refusal: null; tool_calls?: OpenAIToolCall[] };
      logprobs: null;
      finish_reason: OpenAIFinishReason;
    },
  ];
  usage: OpenAIUsage;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: {
    index: 0;
    delta: {
      role?: 'assistant';
      content?: string;
      tool_calls?: {
        index: number;
        id?: string;
        type?: 'function';
        function: { name?: string; arguments: string };
      }[];
    };
    logprobs: null;
    finish_reason: OpenAIFinishReason | null;
  }[];
  usage?: OpenAIUsage | null;
}

/** Tokens as the model event and the price table count them. */
export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
  cachedInputTokens: number;
}

export function finishReasonOf(reason: LanguageModelV4FinishReason): OpenAIFinishReason {
  switch (reason.unified) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export function tokenCountsOf(usage: LanguageModelV4Usage | undefined): TokenCounts | undefined {
  if (!usage || (usage.inputTokens.total === undefined && usage.outputTokens.total === undefined))
    return undefined;
  return {
    promptTokens: usage.inputTokens.total ?? 0,
    completionTokens: usage.outputTokens.total ?? 0,
    cachedInputTokens: usage.inputTokens.cacheRead ?? 0,
  };
}

export function openAIUsageOf(tokens: TokenCounts | undefined): OpenAIUsage {
  const counts = tokens ?? { promptTokens: 0, completionTokens: 0, cachedInputTokens: 0 };
  return {
    prompt_tokens: counts.promptTokens,
    completion_tokens: counts.completionTokens,
    total_tokens: counts.promptTokens + counts.completionTokens,
    ...(counts.cachedInputTokens > 0 && {
      prompt_tokens_details: { cached_tokens: counts.cachedInputTokens },
    }),
  };
}

export interface CompletionIdentity {
  id: string;
  /** Epoch seconds. */
  created: number;
  /** The model name the caller sent (OpenAI echoes the requested model). */
  model: string;
}

export function toChatCompletion(
  result: LanguageModelV4GenerateResult,
  identity: CompletionIdentity,
): ChatCompletion {
  let text = '';
  const toolCalls: OpenAIToolCall[] = [];
  for (const part of result.content) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'tool-call' && !part.providerExecuted) {
      toolCalls.push({
        id: part.toolCallId,
        type: 'function',
        function: { name: part.toolName, arguments: part.input },
      });
    }
  }
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' && toolCalls.length > 0 ? null : text,
          refusal: null,
          ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
        },
        logprobs: null,
        finish_reason:
          toolCalls.length > 0 && result.finishReason.unified === 'stop'
            ? 'tool_calls'
            : finishReasonOf(result.finishReason),
      },
    ],
    usage: openAIUsageOf(tokenCountsOf(result.usage)),
  };
}

/** What a finished stream was, for the model event. */
export interface StreamSummary {
  text: string;
  toolCalls: OpenAIToolCall[];
  finishReason: OpenAIFinishReason | undefined;
  tokens: TokenCounts | undefined;
}

/**
 * Turns the provider's stream parts into OpenAI chunks, in order: the first chunk carries the
 * assistant role, text deltas become `content`, tool input becomes `tool_calls` deltas (id and
 * name first, then argument fragments, indexed by order of appearance), the finish part becomes
 * the chunk with `finish_reason`, then a usage chunk (no choices) when include_usage was asked.
 */
export class ChunkTranslator {
  private roleSent = false;
  private readonly toolIndex = new Map<string, number>();
  /** Tools whose input arrived as deltas: their final tool-call part must not repeat the arguments. */
  private readonly streamedInput = new Set<string>();
  readonly summary: StreamSummary = { text: '', toolCalls: [], finishReason: undefined, tokens: undefined };

  constructor(
    private readonly identity: CompletionIdentity,
    private readonly includeUsage: boolean,
  ) {}

  /** The chunks for one part (often none: stream-start, response-metadata, text-start...). */
  translate(part: LanguageModelV4StreamPart): ChatCompletionChunk[] {
    switch (part.type) {
      case 'text-delta':
        if (part.delta === '') return [];
        this.summary.text += part.delta;
        return [this.chunk({ content: part.delta })];
      case 'tool-input-start': {
        if (part.providerExecuted) return [];
        const index = this.indexOf(part.id);
        this.streamedInput.add(part.id);
        this.summary.toolCalls[index] = {
          id: part.id,
          type: 'function',
          function: { name: part.toolName, arguments: '' },
        };
        return [
          this.chunk({
            tool_calls: [
              { index, id: part.id, type: 'function', function: { name: part.toolName, arguments: '' } },
            ],
          }),
        ];
      }
      case 'tool-input-delta': {
        const index = this.toolIndex.get(part.id);
        if (index === undefined || part.delta === '') return [];
        const call = this.summary.toolCalls[index];
        if (call) call.function.arguments += part.delta;
        return [this.chunk({ tool_calls: [{ index, function: { arguments: part.delta } }] })];
      }
      case 'tool-call': {
        if (part.providerExecuted || this.streamedInput.has(part.toolCallId)) return [];
        // An adapter that sends the call whole (no input deltas): one delta with everything.
        const index = this.indexOf(part.toolCallId);
        this.summary.toolCalls[index] = {
          id: part.toolCallId,
          type: 'function',
          function: { name: part.toolName, arguments: part.input },
        };
        return [
          this.chunk({
            tool_calls: [
              {
                index,
                id: part.toolCallId,
                type: 'function',
                function: { name: part.toolName, arguments: part.input },
              },
            ],
          }),
        ];
      }
      case 'finish': {
        const reason =
          this.summary.toolCalls.length > 0 && part.finishReason.unified === 'stop'
            ? 'tool_calls'
            : finishReasonOf(part.finishReason);
        this.summary.finishReason = reason;
        this.summary.tokens = tokenCountsOf(part.usage);
        const chunks = [this.chunk({}, reason)];
        if (this.includeUsage) {
          chunks.push({ ...this.base(), choices: [], usage: openAIUsageOf(this.summary.tokens) });
        }
        return chunks;
      }
      default:
        return [];
    }
  }

  private indexOf(id: string): number {
    let index = this.toolIndex.get(id);
    if (index === undefined) {
      index = this.toolIndex.size;
      this.toolIndex.set(id, index);
    }
    return index;
  }

  private base() {
    return {
      id: this.identity.id,
      object: 'chat.completion.chunk' as const,
      created: this.identity.created,
      model: this.identity.model,
    };
  }

  private chunk(
    delta: ChatCompletionChunk['choices'][number]['delta'],
    finish: OpenAIFinishReason | null = null,
  ): ChatCompletionChunk {
    const withRole = this.roleSent
      ? delta
      : { role: 'assistant' as const, ...(delta.tool_calls ? {} : { content: '' }), ...delta };
    this.roleSent = true;
    return {
      ...this.base(),
      choices: [{ index: 0, delta: withRole, logprobs: null, finish_reason: finish }],
      ...(this.includeUsage && { usage: null }),
    };
  }
}
