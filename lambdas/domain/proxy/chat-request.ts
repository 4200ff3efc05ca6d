/**
 * The body of POST /v1/chat/completions (OpenAI's chat API), checked before anything is called.
 * Refusals name the field and the rule; unknown fields are refused rather than silently ignored,
 * so a parameter the proxy would drop never looks honoured.
 */
import { ValidationError } from '../errors';

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A user message's content part: text, or an image by URL (data: URLs included). */
export type ChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } };

export interface ChatMessage {
  role: ChatRole;
  content: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
}

export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type ChatToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ChatTool[];
  tool_choice?: ChatToolChoice;
  temperature?: number;
  /** max_tokens or max_completion_tokens (the newer name); both given must agree. */
  maxTokens?: number;
  top_p?: number;
  stop?: string[];
  response_format?:
    | { type: 'text' }
    | { type: 'json_object' }
    | { type: 'json_schema'; json_schema: JsonSchemaFormat };
  presence_penalty?: number;
  frequency_penalty?: number;
  stream: boolean;
  /** stream_options.include_usage: a last chunk with the usage and no choices. */
  includeUsage: boolean;
  user?: string;
  seed?: number;
  /** Waggle: values for a configuration's `{{variables}}`. */
  variables?: Record<string, string>;
  /** Waggle: which deployment of a configuration (dev, staging, prod). */
  environment?: string;
  /** Waggle: models (`<provider>/<model>`) tried in order when the first fails with 429, 5xx or a timeout. */
  fallbacks?: string[];
}

export interface JsonSchemaFormat {
  name: string;
  description?: string;
  schema?: Record<string, unknown>;
  strict?: boolean;
}

/** More would multiply the latency of one failing request beyond API Gateway's 29 s. */
export const MAX_FALLBACKS = 3;
const MAX_MESSAGES = 2048;
const MAX_TOOLS = 128;
const MAX_STOP = 4;
const ROLES = new Set<ChatRole>(['system', 'developer', 'user', 'assistant', 'tool']);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

const FIELDS = new Set([
  'model',
  'messages',
  'tools',
  'tool_choice',
  'temperature',
  'max_tokens',
  'max_completion_tokens',
  'top_p',
  'stop',
  'response_format',
  'presence_penalty',
  'frequency_penalty',
  'stream',
  'stream_options',
  'n',
  'user',
  'seed',
  'metadata',
  'variables',
  'environment',
  'fallbacks',
]);

export function parseChatRequest(body: Record<string, unknown>): ChatRequest {
  const unknown = Object.keys(body).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).map((key) => (/^[\w.-]{1,40}$/.test(key) ? key : '?'));
    throw new ValidationError(`Unsupported parameter(s): ${shown.join(', ')}`);
  }
  if (typeof body.model !== 'string' || body.model.trim() === '') {
    throw new ValidationError('model is required: `<provider>/<model>` or the name of a configuration');
  }
  if (body.n !== undefined && body.n !== null && body.n !== 1) {
    throw new ValidationError('n must be 1: the proxy returns one choice per request');
  }
  const stream = optionalBoolean(body.stream, 'stream') ?? false;
  const request: ChatRequest = {
    model: body.model.trim(),
    messages: parseMessages(body.messages),
    stream,
    includeUsage: parseStreamOptions(body.stream_options, stream),
  };
  if (body.tools !== undefined && body.tools !== null) request.tools = parseTools(body.tools);
  if (body.tool_choice !== undefined && body.tool_choice !== null) {
    request.tool_choice = parseToolChoice(body.tool_choice, request.tools);
  }
  assign(request, 'temperature', optionalNumber(body.temperature, 'temperature', 0, 2));
  assign(request, 'top_p', optionalNumber(body.top_p, 'top_p', 0, 1));
  assign(request, 'presence_penalty', optionalNumber(body.presence_penalty, 'presence_penalty', -2, 2));
  assign(request, 'frequency_penalty', optionalNumber(body.frequency_penalty, 'frequency_penalty', -2, 2));
  assign(request, 'maxTokens', parseMaxTokens(body.max_tokens, body.max_completion_tokens));
  assign(request, 'stop', parseStop(body.stop));
  assign(request, 'response_format', parseResponseFormat(body.response_format));
  assign(request, 'user', optionalString(body.user, 'user', 256));
  if (body.seed !== undefined && body.seed !== null) {
    if (!Number.isSafeInteger(body.seed)) throw new ValidationError('seed must be an integer');
    request.seed = body.seed as number;
  }
  if (body.metadata !== undefined && body.metadata !== null && !isRecord(body.metadata)) {
    throw new ValidationError('metadata must be an object');
  }
  assign(request, 'variables', parseVariables(body.variables));
  assign(request, 'environment', optionalString(body.environment, 'environment', 40));
  assign(request, 'fallbacks', parseFallbacks(body.fallbacks));
  return request;
}

function assign<K extends keyof ChatRequest>(
  request: ChatRequest,
  key: K,
  value: ChatRequest[K] | undefined,
): void {
  if (value !== undefined) request[key] = value;
}

function parseMessages(value: unknown): ChatMessage[] {
  // Empty only makes sense with a configuration's template: routing refuses an empty conversation.
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ValidationError('messages must be an array');
  if (value.length > MAX_MESSAGES)
    throw new ValidationError(`messages holds at most ${MAX_MESSAGES} messages`);
  return value.map((item, index) => parseMessage(item, `messages[${index}]`));
}

function parseMessage(value: unknown, path: string): ChatMessage {
  if (!isRecord(value)) throw new ValidationError(`${path} must be an object`);
  const role = value.role;
  if (typeof role !== 'string' || !ROLES.has(role as ChatRole)) {
    throw new ValidationError(`${path}.role must be one of ${[...ROLES].join(', ')}`);
  }
  const message: ChatMessage = {
    role: role as ChatRole,
    content: parseContent(value.content, `${path}.content`, role),
  };
  if (typeof value.name === 'string') message.name = value.name;
  if (role === 'assistant' && value.tool_calls !== undefined && value.tool_calls !== null) {
    if (!Array.isArray(value.tool_calls)) throw new ValidationError(`${path}.tool_calls must be an array`);
    message.tool_calls = value.tool_calls.map((call, index) =>
      parseToolCall(call, `${path}.tool_calls[${index}]`),
    );
  }
  if (role === 'tool') {
    if (typeof value.tool_call_id !== 'string' || value.tool_call_id === '') {
      throw new ValidationError(`${path}.tool_call_id is required for a tool message`);
    }
    message.tool_call_id = value.tool_call_id;
  }
  if (message.content === null && !(role === 'assistant' && message.tool_calls?.length)) {
    throw new ValidationError(`${path}.content is required`);
  }
  return message;
}

function parseContent(value: unknown, path: string, role: string): ChatMessage['content'] {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) throw new ValidationError(`${path} must be a string or an array of parts`);
  return value.map((part, index) => {
    const where = `${path}[${index}]`;
    if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') {
      return { type: 'text', text: part.text };
    }
    if (
      role === 'user' &&
      isRecord(part) &&
      part.type === 'image_url' &&
      isRecord(part.image_url) &&
      typeof part.image_url.url === 'string'
    ) {
      return { type: 'image_url', image_url: { url: part.image_url.url } };
    }
    throw new ValidationError(
      `${where} must be {type: "text", text}${role === 'user' ? ' or {type: "image_url", image_url: {url}}' : ''}`,
    );
  });
}

function parseToolCall(value: unknown, path: string): ChatToolCall {
  if (
    !isRecord(value) ||
    typeof value.id !== 'string' ||
    !isRecord(value.function) ||
    typeof value.function.name !== 'string' ||
    typeof value.function.arguments !== 'string'
  ) {
    throw new ValidationError(`${path} must be {id, type: "function", function: {name, arguments}}`);
  }
  return {
    id: value.id,
    type: 'function',
    function: { name: value.function.name, arguments: value.function.arguments },
  };
}

function parseTools(value: unknown): ChatTool[] {
  if (!Array.isArray(value)) throw new ValidationError('tools must be an array');
  if (value.length > MAX_TOOLS) throw new ValidationError(`tools holds at most ${MAX_TOOLS} tools`);
  return value.map((tool, index) => {
    const path = `tools[${index}]`;
    if (!isRecord(tool) || tool.type !== 'function' || !isRecord(tool.function)) {
      throw new ValidationError(`${path} must be {type: "function", function: {name, parameters}}`);
    }
    const fn = tool.function;
    if (typeof fn.name !== 'string' || !TOOL_NAME.test(fn.name)) {
      throw new ValidationError(`${path}.function.name must be 1-64 letters, digits, _ or -`);
    }
    if (fn.parameters !== undefined && !isRecord(fn.parameters)) {
      throw new ValidationError(`${path}.function.parameters must be a JSON Schema object`);
    }
    return {
      type: 'function',
      function: {
        name: fn.name,
        ...(typeof fn.description === 'string' && { description: fn.description }),
        ...(isRecord(fn.parameters) && { parameters: fn.parameters }),
        ...(typeof fn.strict === 'boolean' && { strict: fn.strict }),
      },
    };
  });
}

function parseToolChoice(value: unknown, tools: ChatTool[] | undefined): ChatToolChoice {
  if (value === 'auto' || value === 'none' || value === 'required') return value;
  if (
    isRecord(value) &&
    value.type === 'function' &&
    isRecord(value.function) &&
    typeof value.function.name === 'string'
  ) {
    const name = value.function.name;
    if (!tools?.some((tool) => tool.function.name === name)) {
      throw new ValidationError(`tool_choice names a function that is not in tools`);
    }
    return { type: 'function', function: { name } };
  }
  throw new ValidationError(
    'tool_choice must be "auto", "none", "required" or {type: "function", function: {name}}',
  );
}

function parseStreamOptions(value: unknown, stream: boolean): boolean {
  if (value === undefined || value === null) return false;
  if (!stream) throw new ValidationError('stream_options is only allowed with stream: true');
  if (!isRecord(value)) throw new ValidationError('stream_options must be an object');
  return optionalBoolean(value.include_usage, 'stream_options.include_usage') ?? false;
}

function parseMaxTokens(maxTokens: unknown, maxCompletionTokens: unknown): number | undefined {
  const a = optionalCount(maxTokens, 'max_tokens');
  const b = optionalCount(maxCompletionTokens, 'max_completion_tokens');
  if (a !== undefined && b !== undefined && a !== b) {
    throw new ValidationError('max_tokens and max_completion_tokens differ; send one of them');
  }
  return b ?? a;
}

function parseStop(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length > MAX_STOP || !list.every((item) => typeof item === 'string')) {
    throw new ValidationError(`stop must be a string or an array of at most ${MAX_STOP} strings`);
  }
  return list as string[];
}

function parseResponseFormat(value: unknown): ChatRequest['response_format'] {
  if (value === undefined || value === null) return undefined;
  if (isRecord(value) && (value.type === 'text' || value.type === 'json_object')) return { type: value.type };
  if (isRecord(value) && value.type === 'json_schema' && isRecord(value.json_schema)) {
    const format = value.json_schema;
    if (typeof format.name !== 'string')
      throw new ValidationError('response_format.json_schema.name is required');
    return {
      type: 'json_schema',
      json_schema: {
        name: format.name,
        ...(typeof format.description === 'string' && { description: format.description }),
        ...(isRecord(format.schema) && { schema: format.schema }),
        ...(typeof format.strict === 'boolean' && { strict: format.strict }),
      },
    };
  }
  throw new ValidationError('response_format.type must be text, json_object or json_schema');
}

function parseVariables(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new ValidationError('variables must be an object of names to values');
  const variables: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (typeof item === 'string') variables[name] = item;
    else if (typeof item === 'number' || typeof item === 'boolean') variables[name] = String(item);
    else
      throw new ValidationError(
        `variables.${/^[\w.-]{1,40}$/.test(name) ? name : '?'} must be a string, number or boolean`,
      );
  }
  return variables;
}

function parseFallbacks(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (
    !Array.isArray(value) ||
    value.length > MAX_FALLBACKS ||
    !value.every((item) => typeof item === 'string' && item.includes('/'))
  ) {
    throw new ValidationError(
      `fallbacks must be an array of at most ${MAX_FALLBACKS} models named <provider>/<model>`,
    );
  }
  return value as string[];
}

function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ValidationError(`${name} must be true or false`);
  return value;
}

function optionalNumber(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ValidationError(`${name} must be a number from ${min} to ${max}`);
  }
  return value;
}

function optionalCount(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new ValidationError(`${name} must be a positive integer`);
  }
  return value as number;
}

function optionalString(value: unknown, name: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) {
    throw new ValidationError(`${name} must be a string of at most ${max} characters`);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
