/**
 * The model event of one proxied call, built by the HoneyHive intake's own buildModelEvent so it is
 * exactly what POST /events/model would store for the same fields: inputs (the messages sent),
 * outputs (the answer), model, provider, tokens, cost from the price table, and in metadata the
 * time to first token, the latency, which fallback answered and how many attempts it took.
 */
import type { JsonObject, WaggleEvent } from '../events/event';
import { buildModelEvent } from '../honeyhive/model-event';
import { computeCost } from '../pricing/compute-cost';
import { findPrice } from '../pricing/find-price';
import { PRICE_TABLE } from '../pricing/price-table';
import type { ProjectTenant } from '../providers/resolve';
import type { ChatRequest } from './chat-request';
import type { ModelTarget, RoutedRequest } from './routing';
import type { OpenAIFinishReason, OpenAIToolCall, TokenCounts } from './to-openai';

export interface CallRecord {
  requestId: string;
  /** The model event's id, chosen before the call so the answer can name it (x-waggle-event-id). */
  eventId: string;
  routed: RoutedRequest;
  /** The model name the caller sent. */
  requestedModel: string;
  /** The target that answered, or the last one tried when all failed. */
  target: ModelTarget;
  /** Index in routed.targets of `target`: 0 is the requested model, more is a fallback. */
  targetIndex: number;
  attempts: number;
  startedAt: number;
  endedAt: number;
  /** Epoch ms of the first token (streamed) or of the whole answer (not streamed). */
  firstTokenAt?: number;
  text?: string;
  toolCalls?: OpenAIToolCall[];
  finishReason?: OpenAIFinishReason;
  tokens?: TokenCounts;
  /** A message safe to store (never the provider key). */
  error?: string;
  /** Served from the response cache: no provider call, no cost. */
  cacheHit?: boolean;
  /** The event's source when a caller inside the data plane names one (default waggle-proxy). */
  source?: string;
  /** Metadata a caller inside the data plane adds (the judge names its evaluator); the proxy's own keys win. */
  callerMetadata?: JsonObject;
  /** The session a caller inside the data plane makes the event a child of (an experiment's datapoint). */
  sessionId?: string;
}

export interface ProxyEventContext {
  tenant: ProjectTenant;
  projectName: string;
  ingestedAt: number;
  version: number;
  newId: () => string;
}

/** USD of the call from the price table, or undefined when the model has no price. */
export function costOf(
  target: ModelTarget,
  tokens: TokenCounts | undefined,
): { usd: number; modelId: string } | undefined {
  if (!tokens) return undefined;
  const price = findPrice(target.model, target.provider);
  return price ? { usd: computeCost(price, tokens), modelId: price.id } : undefined;
}

export function buildProxyEvent(call: CallRecord, ctx: ProxyEventContext): WaggleEvent {
  const request = call.routed.request;
  const cost = call.cacheHit ? undefined : costOf(call.target, call.tokens);
  const raw: Record<string, unknown> = {
    event_id: call.eventId,
    event_name: `${call.target.provider}/${call.target.model}`,
    source: call.source ?? 'waggle-proxy',
    ...(call.sessionId !== undefined && { session_id: call.sessionId }),
    model: call.target.model,
    provider: call.target.provider,
    messages: request.messages,
    hyperparameters: hyperparametersOf(request),
    start_time: call.startedAt,
    end_time: call.endedAt,
    duration: call.endedAt - call.startedAt,
    metadata: {
      ...call.callerMetadata,
      request_id: call.requestId,
      requested_model: call.requestedModel,
      stream: request.stream,
      attempts: call.attempts,
      fallback_used: call.targetIndex > 0 ? `${call.target.provider}/${call.target.model}` : null,
      latency_ms: call.endedAt - call.startedAt,
      ...(call.firstTokenAt !== undefined && { time_to_first_token_ms: call.firstTokenAt - call.startedAt }),
      ...(call.finishReason && { finish_reason: call.finishReason }),
      ...(call.tokens &&
        call.tokens.cachedInputTokens > 0 && { cached_input_tokens: call.tokens.cachedInputTokens }),
      ...(call.cacheHit && { cache_hit: true }),
      ...(cost && { pricing: { table_version: PRICE_TABLE.version, model_id: cost.modelId } }),
      ...(call.routed.configuration && { configuration: call.routed.configuration }),
      ...(request.user !== undefined && { user: request.user }),
    },
  };
  if (request.tools) raw.tools = request.tools;
  if (request.tool_choice !== undefined) raw.tool_choice = request.tool_choice;
  if (call.error === undefined || call.text !== undefined) {
    raw.response = {
      role: 'assistant',
      content: call.text ?? '',
      ...(call.toolCalls && call.toolCalls.length > 0 && { tool_calls: call.toolCalls }),
    };
  }
  if (call.tokens) {
    raw.usage = {
      prompt_tokens: call.tokens.promptTokens,
      completion_tokens: call.tokens.completionTokens,
      total_tokens: call.tokens.promptTokens + call.tokens.completionTokens,
    };
  }
  if (cost) raw.cost = cost.usd;
  else if (call.cacheHit) raw.cost = 0;
  if (call.error !== undefined) raw.error = call.error;
  return buildModelEvent(raw, '', ctx, {});
}

function hyperparametersOf(request: ChatRequest): Record<string, unknown> {
  const values: Record<string, unknown> = {
    temperature: request.temperature,
    max_tokens: request.maxTokens,
    top_p: request.top_p,
    stop: request.stop,
    presence_penalty: request.presence_penalty,
    frequency_penalty: request.frequency_penalty,
    seed: request.seed,
    response_format: request.response_format,
  };
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}
