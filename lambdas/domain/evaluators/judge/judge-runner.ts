/**
 * The LLM judge (HoneyHive's "model" metric): fills the evaluator's prompt from the event, asks the
 * evaluator's model for a verdict through the LLM proxy's own service (the project's provider keys,
 * fallbacks, retries honouring Retry-After, the project's budgets and rate limits), and turns the
 * answer into an outcome of the evaluator's return type with its threshold or passWhen applied.
 *
 * - The call is the proxy's: it publishes a `model` event in the project with tokens and cost, whose
 *   id the judge chooses and returns as judgeEventId; the event's source is `waggle-judge` and its
 *   metadata names the evaluator (id, name, version) and the event judged.
 * - Each evaluator has a daily budget (judge-budget.ts): a spent budget is a 'budget-exceeded'
 *   outcome and no provider is called.
 * - A provider that fails or refuses, a missing provider key, an answer without a parseable rating:
 *   'judge-error' outcomes with the reason. run() throws only when a store it needs fails (the
 *   budget counters), so that the caller can try again later.
 */
import { isDomainError, RateLimitedError } from '../../errors';
import type { JsonObject } from '../../events/event';
import { findPrice } from '../../pricing/find-price';
import { isProviderId } from '../../providers/providers';
import type { ChatMessage } from '../../proxy/chat-request';
import { ProviderCallError } from '../../proxy/proxy-errors';
import type { ProxyInput, ProxyResult } from '../../proxy/proxy-service';
import { parseModelTarget } from '../../proxy/routing';
import type { EvaluationErrorKind, EvaluationOutcome, EvaluatorDefinition, JudgeRunner } from '../evaluator';
import { withPassed } from '../score';
import type { JudgeBudget, JudgeBudgetHold } from './judge-budget';
import { DEFAULT_JUDGE_PROMPT_LIMITS, type JudgePromptLimits, renderJudgePrompt } from './prompt';
import {
  readVerdict,
  STRUCTURED_OUTPUT_PROVIDERS,
  VERDICT_SCHEMA_NAME,
  type VerdictLimits,
  type VerdictMode,
  verdictInstructions,
  verdictSchema,
} from './verdict';

/** The `source` of a judge's model event. */
export const JUDGE_EVENT_SOURCE = 'waggle-judge';

export interface JudgeRunnerDeps {
  /** The LLM proxy's service (createProxyService), shared with the proxy function or built for the judge. */
  proxy: { handle(input: ProxyInput): Promise<ProxyResult> };
  budget: JudgeBudget;
  /** Models tried in order when an evaluator's model fails transiently, by `<provider>/<model>`. */
  fallbacks?: Readonly<Record<string, readonly string[]>>;
  /** The completion limit of a verdict (default 1024 tokens): also what the budget reserves for it. */
  maxOutputTokens?: number;
  /** Default 0: the same answer for the same event, as far as the model allows. */
  temperature?: number;
  promptLimits?: JudgePromptLimits;
  verdictLimits?: VerdictLimits;
  /** Whether the provider gets response_format json_schema (default: STRUCTURED_OUTPUT_PROVIDERS). */
  structuredOutput?: (provider: string) => boolean;
  clock?: () => number;
  newId?: () => string;
}

export const DEFAULT_JUDGE_MAX_OUTPUT_TOKENS = 1024;
/** As for code metrics: explanations of 4,096 characters, string scores of 8,192. */
const DEFAULT_VERDICT_LIMITS: VerdictLimits = { explanationChars: 4096, valueChars: 8192 };

const SYSTEM_PROMPT =
  'You are an impartial evaluator. Judge what the user message describes strictly by the criteria it gives.';

export function createJudgeRunner(deps: JudgeRunnerDeps): JudgeRunner {
  const clock = deps.clock ?? Date.now;
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const maxOutputTokens = deps.maxOutputTokens ?? DEFAULT_JUDGE_MAX_OUTPUT_TOKENS;
  const promptLimits = deps.promptLimits ?? DEFAULT_JUDGE_PROMPT_LIMITS;
  const verdictLimits = deps.verdictLimits ?? DEFAULT_VERDICT_LIMITS;
  const structured =
    deps.structuredOutput ??
    ((provider: string) => isProviderId(provider) && STRUCTURED_OUTPUT_PROVIDERS.has(provider));

  return {
    async run({ tenant, evaluator, input, requestId }) {
      const startedAt = clock();
      const error = (
        kind: EvaluationErrorKind,
        message: string,
        extra: { costUsd?: number; judgeEventId?: string } = {},
      ): EvaluationOutcome => ({
        status: 'error',
        error: { kind, message },
        durationMs: clock() - startedAt,
        ...extra,
      });

      const model = judgeModelOf(evaluator);
      if (!model.ok) return error('judge-error', model.message);
      const template = evaluator.prompt ?? evaluator.criteria;
      if (template === undefined || template.trim() === '') {
        return error('judge-error', `evaluator "${evaluator.name}" has no prompt for its judge`);
      }
      if (evaluator.needsGroundTruth && (input.ground_truth === undefined || input.ground_truth === null)) {
        return error(
          'missing-ground-truth',
          `evaluator "${evaluator.name}" needs a ground truth, and this event has none`,
        );
      }
      const rendered = renderJudgePrompt(template, input, promptLimits);
      if (!rendered.ok) return error(rendered.kind, rendered.message);

      const mode: VerdictMode = model.provider !== undefined && structured(model.provider) ? 'json' : 'text';
      const messages: ChatMessage[] = [
        { role: 'system', content: `${SYSTEM_PROMPT}\n\n${verdictInstructions(evaluator.returnType, mode)}` },
        { role: 'user', content: rendered.text },
      ];
      const fallbacks = deps.fallbacks?.[model.name] ?? [];
      const body: Record<string, unknown> = {
        model: model.name,
        messages,
        max_tokens: maxOutputTokens,
        temperature: deps.temperature ?? 0,
        ...(mode === 'json' && {
          response_format: {
            type: 'json_schema',
            json_schema: {
              name: VERDICT_SCHEMA_NAME,
              schema: verdictSchema(evaluator.returnType),
              strict: true,
            },
          },
        }),
        ...(fallbacks.length > 0 && { fallbacks: [...fallbacks] }),
      };

      const reserved = worstCaseUsd([model.name, ...fallbacks], messages, maxOutputTokens);
      const decision = await deps.budget.reserve(tenant, evaluator, reserved, startedAt);
      if (!decision.granted) return error('budget-exceeded', decision.message);
      const hold: JudgeBudgetHold = decision.hold;

      const judgeEventId = newId();
      const metadata: JsonObject = {
        evaluator: { id: evaluator.id, name: evaluator.name, version: evaluator.version },
        evaluated_event_id: input.event_id,
        evaluated_session_id: input.session_id,
      };
      let result: ProxyResult;
      try {
        result = await deps.proxy.handle({
          caller: { tenant, projectName: tenant.project_id, credentialId: `evaluator:${evaluator.id}` },
          body,
          requestId,
          trace: { eventId: judgeEventId, source: JUDGE_EVENT_SOURCE, metadata },
        });
      } catch (failure) {
        await deps.budget.settle(hold, 0);
        if (failure instanceof ProviderCallError) {
          // The proxy recorded the failed call as the model event.
          return error('judge-error', `the judge's model failed: ${failure.message}`, { judgeEventId });
        }
        if (failure instanceof RateLimitedError) {
          const budget = /budget/i.test(failure.message);
          return error(
            budget ? 'budget-exceeded' : 'judge-error',
            `the judge was not called: ${failure.message} (retry after ${failure.retryAfterSeconds} s)`,
          );
        }
        // A missing provider key, an unknown model or configuration: refused before any provider call.
        if (isDomainError(failure))
          return error('judge-error', `the judge was not called: ${failure.message}`);
        throw failure;
      }
      if (result.kind !== 'completion') {
        await deps.budget.settle(hold, 0);
        throw new Error('the proxy streamed a judge call that asked for no stream');
      }
      // The model event is queued and the project's budgets settled before the score names the event.
      await result.recorded;
      const costUsd = result.costUsd;
      await deps.budget.settle(hold, costUsd ?? 0);
      const cost = costUsd === undefined ? {} : { costUsd };
      const choice = result.completion.choices[0];
      const verdict = readVerdict(
        {
          text: choice?.message.content ?? '',
          ...(choice?.finish_reason && { finishReason: choice.finish_reason }),
        },
        evaluator.returnType,
        verdictLimits,
      );
      if (!verdict.ok) return error('judge-error', verdict.message, { ...cost, judgeEventId });
      return withPassed(
        {
          status: 'ok',
          value: verdict.value,
          ...(verdict.explanation !== undefined && { explanation: verdict.explanation }),
          durationMs: clock() - startedAt,
          ...cost,
          judgeEventId,
        },
        evaluator,
      );
    },
  };
}

type JudgeModel = { ok: true; name: string; provider?: string } | { ok: false; message: string };

/**
 * The model a judge calls: `<modelProvider>/<modelName>`, or with no provider, the model name as the
 * proxy reads one (`<provider>/<model>`, or the name of a prompt configuration of the project).
 */
export function judgeModelOf(
  evaluator: Pick<EvaluatorDefinition, 'type' | 'name' | 'modelProvider' | 'modelName'>,
): JudgeModel {
  if (evaluator.type !== 'model') {
    return {
      ok: false,
      message: `evaluator "${evaluator.name}" is a ${evaluator.type} evaluator, not an LLM judge`,
    };
  }
  const modelName = evaluator.modelName?.trim();
  if (!modelName) return { ok: false, message: `evaluator "${evaluator.name}" names no model for its judge` };
  const provider = evaluator.modelProvider?.trim();
  if (provider) {
    if (!isProviderId(provider)) {
      return {
        ok: false,
        message: `evaluator "${evaluator.name}" names an unknown model provider "${provider.slice(0, 40)}"`,
      };
    }
    return { ok: true, name: `${provider}/${modelName}`, provider };
  }
  const direct = parseModelTarget(modelName);
  return direct ? { ok: true, name: modelName, provider: direct.provider } : { ok: true, name: modelName };
}

/**
 * The most a verdict can cost, as the proxy estimates a call's reservation: prompt tokens at four
 * characters each plus the completion limit, at the dearest priced model of the call; 0 when none
 * is priced (the budget then counts what calls cost, without reserving ahead).
 */
function worstCaseUsd(
  models: readonly string[],
  messages: readonly ChatMessage[],
  maxOutputTokens: number,
): number {
  const promptTokens = Math.ceil(JSON.stringify(messages).length / 4);
  let most = 0;
  for (const model of models) {
    const target = parseModelTarget(model);
    const price = target && findPrice(target.model, target.provider);
    if (price)
      most = Math.max(most, (promptTokens * price.input + maxOutputTokens * price.output) / 1_000_000);
  }
  return most;
}
