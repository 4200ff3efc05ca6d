/**
 * OpenAI chat request -> the AI SDK's provider call options (LanguageModelV4CallOptions), the
 * interface every maintained @ai-sdk adapter implements. The proxy calls the adapter's model
 * directly (doGenerate/doStream) rather than generateText: one call, no hidden retries or tool
 * loops, and the provider's raw finish reason and usage are kept.
 */

import { ValidationError } from '../errors';
import type { ChatMessage, ChatRequest } from './chat-request';
import type {
  CallOptions as LanguageModelV4CallOptions,
  FunctionTool as LanguageModelV4FunctionTool,
  PromptMessage as LanguageModelV4Message,
  ToolChoice as LanguageModelV4ToolChoice,
} from './sdk-types';

export function toCallOptions(request: ChatRequest): LanguageModelV4CallOptions {
  const options: LanguageModelV4CallOptions = { prompt: toPrompt(request.messages) };
  if (request.maxTokens !== undefined) options.maxOutputTokens = request.maxTokens;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.top_p !== undefined) options.topP = request.top_p;
  if (request.stop !== undefined) options.stopSequences = request.stop;
  if (request.presence_penalty !== undefined) options.presencePenalty = request.presence_penalty;
  if (request.frequency_penalty !== undefined) options.frequencyPenalty = request.frequency_penalty;
  if (request.seed !== undefined) options.seed = request.seed;
  if (request.response_format && request.response_format.type !== 'text') {
    const format = request.response_format;
    options.responseFormat =
      format.type === 'json_schema'
        ? {
            type: 'json',
            name: format.json_schema.name,
            ...(format.json_schema.description !== undefined && {
              description: format.json_schema.description,
            }),
            ...(format.json_schema.schema !== undefined && { schema: format.json_schema.schema }),
          }
        : { type: 'json' };
  }
  if (request.tools && request.tools.length > 0) {
    options.tools = request.tools.map(
      (tool): LanguageModelV4FunctionTool => ({
        type: 'function',
        name: tool.function.name,
        ...(tool.function.description !== undefined && { description: tool.function.description }),
        inputSchema: (tool.function.parameters ?? {
          type: 'object',
          properties: {},
        }) as LanguageModelV4FunctionTool['inputSchema'],
        ...(tool.function.strict !== undefined && { strict: tool.function.strict }),
      }),
    );
  }
  if (request.tool_choice !== undefined) options.toolChoice = toToolChoice(request.tool_choice);
  return options;
}

function toToolChoice(choice: NonNullable<ChatRequest['tool_choice']>): LanguageModelV4ToolChoice {
  if (typeof choice === 'string') return { type: choice };
  return { type: 'tool', toolName: choice.function.name };
}

export function toPrompt(messages: readonly ChatMessage[]): LanguageModelV4Message[] {
  // A tool result names only its call's id; the adapters (Anthropic, Bedrock) also need the tool's name.
  const toolNames = new Map<string, string>();
  const prompt: LanguageModelV4Message[] = [];
  messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        prompt.push({ role: 'system', content: textOf(message) });
        break;
      case 'user':
        prompt.push({
          role: 'user',
          content:
            typeof message.content === 'string'
              ? [{ type: 'text', text: message.content }]
              : (message.content ?? []).map((part) =>
                  part.type === 'text'
                    ? { type: 'text', text: part.text }
                    : { type: 'file', mediaType: 'image/*', data: imageData(part.image_url.url) },
                ),
        });
        break;
      case 'assistant': {
        const content: Extract<LanguageModelV4Message, { role: 'assistant' }>['content'] = [];
        const text = textOf(message);
        if (text !== '') content.push({ type: 'text', text });
        for (const call of message.tool_calls ?? []) {
          toolNames.set(call.id, call.function.name);
          content.push({
            type: 'tool-call',
            toolCallId: call.id,
            toolName: call.function.name,
            input: parseArguments(call.function.arguments, index),
          });
        }
        prompt.push({ role: 'assistant', content });
        break;
      }
      case 'tool': {
        const toolCallId = message.tool_call_id as string;
        const toolName = toolNames.get(toolCallId);
        if (toolName === undefined) {
          throw new ValidationError(
            `messages[${index}].tool_call_id answers no tool call of an earlier assistant message`,
          );
        }
        const part = {
          type: 'tool-result' as const,
          toolCallId,
          toolName,
          output: { type: 'text' as const, value: textOf(message) },
        };
        // Consecutive tool results belong to one tool turn.
        const last = prompt[prompt.length - 1];
        if (last?.role === 'tool') last.content.push(part);
        else prompt.push({ role: 'tool', content: [part] });
        break;
      }
    }
  });
  return prompt;
}

function textOf(message: ChatMessage): string {
  if (message.content === null) return '';
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

function parseArguments(text: string, index: number): unknown {
  try {
    return JSON.parse(text === '' ? '{}' : text);
  } catch {
    throw new ValidationError(`messages[${index}].tool_calls[].function.arguments must be a JSON string`);
  }
}

function imageData(url: string): { type: 'url'; url: URL } | { type: 'data'; data: string } {
  const match = /^data:[^;,]+;base64,(.*)$/s.exec(url);
  if (match) return { type: 'data', data: match[1] as string };
  try {
    return { type: 'url', url: new URL(url) };
  } catch {
    throw new ValidationError('image_url.url must be an https URL or a data: URL');
  }
}
