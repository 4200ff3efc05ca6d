/**
 * Fills the computed usage fields of an event: total tokens from prompt + completion, and cost
 * from the price table. A cost the instrumentation reported is kept; an unknown model keeps its
 * tokens and gets cost null (never an invented price).
 */
import { computeCost } from '../pricing/compute-cost';
import { findPrice } from '../pricing/find-price';
import { PRICE_TABLE } from '../pricing/price-table';
import type { WaggleEvent } from './event';

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function cachedInputTokens(metadata: WaggleEvent['metadata']): number {
  const value = metadata.cached_input_tokens;
  return isCount(value) ? value : 0;
}

export function applyUsageAndCost(event: WaggleEvent): WaggleEvent {
  const prompt = isCount(event.prompt_tokens) ? event.prompt_tokens : null;
  const completion = isCount(event.completion_tokens) ? event.completion_tokens : null;
  const hasUsage = prompt !== null || completion !== null;

  let total = event.total_tokens;
  if (total === null && hasUsage) total = (prompt ?? 0) + (completion ?? 0);

  let cost = event.cost;
  let metadata = event.metadata;
  if (cost === null && hasUsage && event.model !== null && event.model !== '') {
    const price = findPrice(event.model, event.provider ?? undefined);
    if (price !== undefined) {
      cost = computeCost(price, {
        promptTokens: prompt ?? 0,
        completionTokens: completion ?? 0,
        cachedInputTokens: cachedInputTokens(event.metadata),
      });
      // Say which table and entry priced the event, so a later price change can be audited.
      metadata = { ...metadata, pricing: { table_version: PRICE_TABLE.version, model_id: price.id } };
    }
  }

  if (total === event.total_tokens && cost === event.cost) return event;
  return { ...event, total_tokens: total, cost, metadata };
}
