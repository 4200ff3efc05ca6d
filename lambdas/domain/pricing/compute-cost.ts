import type { ModelPrice } from './price-table';

interface TokenUsage {
  /** All input tokens, cached ones included (OpenAI and OTel GenAI semantics). */
  promptTokens: number;
  completionTokens: number;
  /** The part of promptTokens served from the provider's prompt cache. */
  cachedInputTokens: number;
}

const TOKENS_PER_UNIT = 1_000_000;

/** USD cost of one call. Cached tokens use the cached rate when the model has one, else the input rate. */
export function computeCost(price: ModelPrice, usage: TokenUsage): number {
  const cached = Math.min(Math.max(usage.cachedInputTokens, 0), usage.promptTokens);
  const uncached = usage.promptTokens - cached;
  const cachedRate = price.cachedInput ?? price.input;
  const usd =
    (uncached * price.input + cached * cachedRate + usage.completionTokens * price.output) / TOKENS_PER_UNIT;
  // Round away binary floating-point noise (0.1 + 0.2) without losing sub-cent precision.
  return Math.round(usd * 1e12) / 1e12;
}
