/**
 * One proxied chat completion, from a parsed request to an OpenAI-shaped answer: route the model,
 * admit it against budgets and rate limits, answer from the response cache when asked to, call the
 * targets in order (each with retries and backoff; a transient failure moves on to the next), and
 * publish the call's model event. Streamed answers are returned as a chunk generator; its event is
 * published when the stream ends, however it ends.
 */

import type { ConfigurationLookup } from '../configurations/configuration';
import { ValidationError } from '../errors';
import type { EventRecord, JsonObject } from '../events/event';
import { findPrice } from '../pricing/find-price';
import type { ProjectTenant, ProviderKeyResolver, ResolvedProviderKey } from '../providers/resolve';
import { responseCacheKey } from './cache-key';
import { type ChatRequest, parseChatRequest } from './chat-request';
import type { Admission, ProxyCaller, ProxyGuards, ResponseCache } from './guards';
import type { ModelFactory } from './provider-models';
import { isTimeout, ProviderCallError, safeProviderMessage } from './proxy-errors';
import { buildProxyEvent, type CallRecord, costOf } from './proxy-event';
import {
  DEFAULT_RETRY_POLICY,
  type FailureClass,
  type FailureClassifier,
  type RetryPolicy,
  retryDelay,
} from './retry';
import { type ModelTarget, type RoutedRequest, routeRequest } from './routing';
import type { StreamPart as LanguageModelV4StreamPart } from './sdk-types';
import {
  type ChatCompletion,
  type ChatCompletionChunk,
  ChunkTranslator,
  type CompletionIdentity,
  toChatCompletion,
  tokenCountsOf,
} from './to-openai';
import { toCallOptions } from './to-provider';

export interface ProxyServiceDeps {
  keys: Pick<ProviderKeyResolver, 'resolve'>;
  models: ModelFactory;
  /** What a failed call through `models` means (retry, fall back, or give up). */
  classifyFailure: FailureClassifier;
  configurations?: ConfigurationLookup;
  guards?: ProxyGuards;
  cache?: ResponseCache;
  /** Puts the model event on the events queue (the path SDK traces take); resolves once queued. */
  publish: (records: EventRecord[], requestId: string) => Promise<void>;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  newId?: () => string;
  retry?: Partial<RetryPolicy>;
  /** Longest wait for a provider's answer (not streamed) or its first stream part, per attempt. */
  attemptTimeoutMs?: number;
  /** Each finished call, for metrics and the benchmark. */
  onCall?: (summary: ProxyCallSummary) => void;
  /** The model event could not be queued (the answer was still given). */
  onEventLost?: (error: unknown) => void;
}

export interface ProxyCallSummary {
  projectId: string;
  provider: string;
  model: string;
  stream: boolean;
  ok: boolean;
  cacheHit: boolean;
  attempts: number;
  fallbackUsed: boolean;
  latencyMs: number;
  timeToFirstTokenMs?: number;
  costUsd?: number;
}

export interface ProxyInput {
  caller: ProxyCaller & { projectName: string };
  body: Record<string, unknown>;
  requestId: string;
  /** From the x-waggle-environment header; the body's `environment` wins. */
  environment?: string;
  /** From x-waggle-cache: serve and store exact-match answers for this many seconds. */
  cacheTtlSeconds?: number;
  /**
   * Set only by callers inside the data plane (the LLM judge, server-side experiments), never from a
   * request: the model event's id (else one is chosen), its `source` (else waggle-proxy), metadata
   * of the caller's, beside which the proxy's own metadata keys win, and the session it is a child
   * of (else a session of its own).
   */
  trace?: { eventId?: string; source?: string; metadata?: JsonObject; sessionId?: string };
}

export type ProxyResult =
  | {
      kind: 'completion';
      completion: ChatCompletion;
      cacheHit: boolean;
      eventId: string;
      costUsd?: number;
      /**
       * Resolves once the model event is queued, the budgets settled and the answer cached: the
       * caller answers first and awaits this after (the invocation must not end before it does).
       */
      recorded: Promise<void>;
    }
  | { kind: 'stream'; chunks: AsyncGenerator<ChatCompletionChunk, void, undefined>; eventId: string };

/** A completion's worst-case length when max_tokens is not given, for the budget reservation. */
const DEFAULT_RESERVED_COMPLETION_TOKENS = 4096;

export function createProxyService(deps: ProxyServiceDeps) {
  const clock = deps.clock ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...deps.retry };
  const attemptTimeoutMs = deps.attemptTimeoutMs ?? 60_000;
  let lastVersion = 0;

  async function publishCall(call: CallRecord, caller: ProxyInput['caller']): Promise<void> {
    const now = clock();
    lastVersion = Math.max(lastVersion + 1, now * 1000);
    try {
      const event = buildProxyEvent(call, {
        tenant: caller.tenant,
        projectName: caller.projectName,
        ingestedAt: now,
        version: lastVersion,
        newId,
      });
      await deps.publish([{ kind: 'event', event }], call.requestId);
    } catch (error) {
      deps.onEventLost?.(error);
    }
    const cost = call.cacheHit ? 0 : costOf(call.target, call.tokens)?.usd;
    deps.onCall?.({
      projectId: caller.tenant.project_id,
      provider: call.target.provider,
      model: call.target.model,
      stream: call.routed.request.stream,
      ok: call.error === undefined,
      cacheHit: call.cacheHit === true,
      attempts: call.attempts,
      fallbackUsed: call.targetIndex > 0,
      latencyMs: call.endedAt - call.startedAt,
      ...(call.firstTokenAt !== undefined && { timeToFirstTokenMs: call.firstTokenAt - call.startedAt }),
      ...(cost !== undefined && { costUsd: cost }),
    });
  }

  async function keyFor(tenant: ProjectTenant, target: ModelTarget): Promise<ResolvedProviderKey> {
    const key = await deps.keys.resolve(tenant, target.provider);
    if (!key) {
      throw new ValidationError(
        `No provider key for ${target.provider} in this project or its workspace: add one with PUT /v1/provider-keys/${target.provider}`,
      );
    }
    return key;
  }

  /**
   * Runs `attempt` on each target in turn with retries; returns the first success. Only transient
   * failures retry or fall back. Throws a ProviderCallError after recording the failed call.
   */
  async function callTargets<T>(
    routed: RoutedRequest,
    tenant: ProjectTenant,
    record: CallRecord,
    attempt: (
      target: ModelTarget,
      key: ResolvedProviderKey,
      signal: AbortSignal,
      done: () => void,
    ) => Promise<T>,
  ): Promise<T> {
    let lastError: ProviderCallError | ValidationError | undefined;
    for (const [index, target] of routed.targets.entries()) {
      record.target = target;
      record.targetIndex = index;
      let key: ResolvedProviderKey;
      try {
        key = await keyFor(tenant, target);
      } catch (error) {
        // The requested model without a key is the caller's to fix; a fallback without one is skipped.
        if (index === 0) throw error;
        lastError = error as ValidationError;
        continue;
      }
      for (let retry = 0; ; retry++) {
        record.attempts++;
        const controller = new AbortController();
        const timer = setTimeout(
          () => controller.abort(new DOMException('provider timed out', 'TimeoutError')),
          attemptTimeoutMs,
        );
        try {
          return await attempt(target, key, controller.signal, () => clearTimeout(timer));
        } catch (error) {
          const failure: FailureClass = isTimeout(error)
            ? { transient: true }
            : deps.classifyFailure(error, clock());
          lastError = toCallError(error, failure, target, key);
          const wait = retryDelay(failure, retry, policy, random);
          if (!failure.transient) {
            record.error = lastError.message;
            throw lastError;
          }
          if (wait === undefined) break;
          await sleep(wait);
        } finally {
          clearTimeout(timer);
        }
      }
    }
    const error =
      lastError instanceof ProviderCallError
        ? lastError
        : new ProviderCallError(lastError?.message ?? 'No provider could be called', 'provider_unavailable');
    record.error = error.message;
    throw error;
  }

  function toCallError(
    error: unknown,
    failure: FailureClass,
    target: ModelTarget,
    key: ResolvedProviderKey,
  ): ProviderCallError {
    const secret = key.apiKey?.reveal();
    const where = `${target.provider}/${target.model}`;
    if (isTimeout(error)) return new ProviderCallError(`${where} did not answer in time`, 'provider_timeout');
    const message = safeProviderMessage(error, failure, target.provider, secret);
    if (!failure.transient && !failure.credentialsRejected) {
      return new ProviderCallError(`${where} refused the request: ${message}`, 'provider_refused');
    }
    const answered = failure.providerStatus !== undefined ? ` (${failure.providerStatus})` : '';
    return new ProviderCallError(`${where} failed${answered}: ${message}`, 'provider_unavailable');
  }

  async function admit(input: ProxyInput, routed: RoutedRequest): Promise<Admission | undefined> {
    if (!deps.guards) return undefined;
    return deps.guards.admit({ caller: input.caller, reserveUsd: reservation(routed), at: clock() });
  }

  async function settle(admission: Admission | undefined, record: CallRecord): Promise<void> {
    if (!admission || !deps.guards) return;
    const usd = record.cacheHit ? 0 : (costOf(record.target, record.tokens)?.usd ?? 0);
    await deps.guards.settle(admission, usd);
  }

  async function handle(input: ProxyInput): Promise<ProxyResult> {
    const parsed = parseChatRequest(input.body);
    if (parsed.environment === undefined && input.environment !== undefined)
      parsed.environment = input.environment;
    const routed = await routeRequest(parsed, input.caller.tenant, deps.configurations);
    const startedAt = clock();
    const identity: CompletionIdentity = {
      id: `chatcmpl-${newId().replaceAll('-', '')}`,
      created: Math.floor(startedAt / 1000),
      model: parsed.model,
    };
    const record: CallRecord = {
      requestId: input.requestId,
      eventId: input.trace?.eventId ?? newId(),
      ...(input.trace?.source !== undefined && { source: input.trace.source }),
      ...(input.trace?.metadata !== undefined && { callerMetadata: input.trace.metadata }),
      ...(input.trace?.sessionId !== undefined && { sessionId: input.trace.sessionId }),
      routed,
      requestedModel: parsed.model,
      target: routed.targets[0] as ModelTarget,
      targetIndex: 0,
      attempts: 0,
      startedAt,
      endedAt: startedAt,
    };
    const cacheKey =
      deps.cache && input.cacheTtlSeconds !== undefined && !parsed.stream
        ? responseCacheKey(
            input.caller.tenant,
            `${record.target.provider}/${record.target.model}`,
            cacheFieldsOf(input.body, routed),
          )
        : undefined;
    if (cacheKey !== undefined && deps.cache) {
      const hit = await deps.cache.get(input.caller.tenant, cacheKey);
      if (hit) {
        const completion = {
          ...(hit.body as unknown as ChatCompletion),
          id: identity.id,
          created: identity.created,
        };
        record.cacheHit = true;
        record.endedAt = clock();
        record.firstTokenAt = record.endedAt;
        record.text = completion.choices[0]?.message.content ?? '';
        record.toolCalls = completion.choices[0]?.message.tool_calls;
        record.finishReason = completion.choices[0]?.finish_reason;
        return {
          kind: 'completion',
          completion,
          cacheHit: true,
          eventId: record.eventId,
          costUsd: 0,
          recorded: publishCall(record, input.caller),
        };
      }
    }
    const admission = await admit(input, routed);
    const options = toCallOptions(routed.request);
    /** A call no provider answered: recorded (when one was tried) and settled, then the error is rethrown. */
    const unanswered = async (error: unknown): Promise<never> => {
      record.endedAt = clock();
      record.error ??= error instanceof Error ? error.message : 'failed';
      // Refusals before any provider call (a missing key) have no attempt and no event.
      if (record.attempts > 0) await publishCall(record, input.caller);
      await settle(admission, record);
      throw error;
    };

    if (!parsed.stream) {
      let completion: ChatCompletion;
      try {
        completion = await callTargets(routed, input.caller.tenant, record, async (target, key, signal) => {
          const result = await deps.models(target, key).doGenerate({ ...options, abortSignal: signal });
          return toChatCompletion(result, identity);
        });
      } catch (error) {
        return unanswered(error);
      }
      record.endedAt = clock();
      record.firstTokenAt = record.endedAt;
      const message = completion.choices[0].message;
      record.text = message.content ?? '';
      record.toolCalls = message.tool_calls;
      record.finishReason = completion.choices[0].finish_reason;
      record.tokens = {
        promptTokens: completion.usage.prompt_tokens,
        completionTokens: completion.usage.completion_tokens,
        cachedInputTokens: completion.usage.prompt_tokens_details?.cached_tokens ?? 0,
      };
      const cost = costOf(record.target, record.tokens);
      const recorded = (async () => {
        if (cacheKey !== undefined && deps.cache && input.cacheTtlSeconds !== undefined) {
          await deps.cache
            .put(
              input.caller.tenant,
              cacheKey,
              { body: completion as unknown as Record<string, unknown>, cachedAt: record.endedAt },
              input.cacheTtlSeconds,
            )
            // A write that fails only makes the next identical request a miss.
            .catch(() => {});
        }
        await publishCall(record, input.caller);
        await settle(admission, record);
      })();
      return {
        kind: 'completion',
        completion,
        cacheHit: false,
        eventId: record.eventId,
        ...(cost && { costUsd: cost.usd }),
        recorded,
      };
    }

    // Streamed: the call counts as answered once the first part that carries content arrives;
    // failures before it retry and fall back like an unstreamed call, failures after it end the stream.
    let opened: {
      reader: ReadableStreamDefaultReader<LanguageModelV4StreamPart>;
      first: LanguageModelV4StreamPart[];
    };
    try {
      opened = await callTargets(routed, input.caller.tenant, record, async (target, key, signal, done) => {
        const { stream } = await deps.models(target, key).doStream({ ...options, abortSignal: signal });
        const reader = stream.getReader();
        const first: LanguageModelV4StreamPart[] = [];
        for (;;) {
          const next = await reader.read();
          if (next.done) break;
          if (next.value.type === 'error') {
            await reader.cancel().catch(() => {});
            throw next.value.error;
          }
          first.push(next.value);
          if (carriesContent(next.value)) break;
        }
        done();
        return { reader, first };
      });
      record.firstTokenAt = clock();
    } catch (error) {
      return unanswered(error);
    }
    const translator = new ChunkTranslator(identity, parsed.includeUsage);

    async function* chunks(): AsyncGenerator<ChatCompletionChunk, void, undefined> {
      let finished = false;
      try {
        for (const part of opened.first) yield* translator.translate(part);
        for (;;) {
          const next = await opened.reader.read();
          if (next.done) break;
          if (next.value.type === 'error') {
            record.error = safeProviderMessage(
              next.value.error,
              { transient: true },
              record.target.provider,
              undefined,
            );
            break;
          }
          if (next.value.type === 'finish') finished = true;
          yield* translator.translate(next.value);
        }
        if (!finished && record.error === undefined)
          record.error = 'the provider ended the stream without finishing';
      } finally {
        if (!finished && record.error === undefined)
          record.error = 'the client disconnected before the stream ended';
        await opened.reader.cancel().catch(() => {});
        record.endedAt = clock();
        record.text = translator.summary.text;
        record.toolCalls = translator.summary.toolCalls;
        record.finishReason = translator.summary.finishReason;
        record.tokens = translator.summary.tokens;
        await publishCall(record, input.caller);
        await settle(admission, record);
      }
    }
    return { kind: 'stream', chunks: chunks(), eventId: record.eventId };
  }

  return { handle };
}

/** The stream parts that mean the model has started answering (the time to first token). */
function carriesContent(part: LanguageModelV4StreamPart): boolean {
  return (
    part.type === 'text-delta' ||
    part.type === 'tool-input-start' ||
    part.type === 'tool-call' ||
    part.type === 'finish'
  );
}

/** What the cache key covers: the routed request (template filled), not the configuration's name. */
function cacheFieldsOf(body: Record<string, unknown>, routed: RoutedRequest): Record<string, unknown> {
  const {
    model: _model,
    variables: _variables,
    environment: _environment,
    fallbacks: _fallbacks,
    ...rest
  } = body;
  return {
    ...rest,
    messages: routed.request.messages,
    tools: routed.request.tools,
    tool_choice: routed.request.tool_choice,
  };
}

/** USD to reserve: estimated prompt tokens (4 characters a token) plus the completion limit, at the dearest target's price. */
function reservation(routed: RoutedRequest): number {
  const request: ChatRequest = routed.request;
  const promptTokens = Math.ceil(JSON.stringify(request.messages).length / 4);
  const completionTokens = request.maxTokens ?? DEFAULT_RESERVED_COMPLETION_TOKENS;
  let most = 0;
  for (const target of routed.targets) {
    const price = findPrice(target.model, target.provider);
    if (price)
      most = Math.max(most, (promptTokens * price.input + completionTokens * price.output) / 1_000_000);
  }
  return most;
}

export type ProxyService = ReturnType<typeof createProxyService>;
export { tokenCountsOf };
