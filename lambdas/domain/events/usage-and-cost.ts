/**
 * Fills the computed usage fields of an event: total tokens from prompt + completion, and cost
 * from the price table. A cost the instrumentation reported is kept; an unknown model keeps its
 * tokens and gets cost null (never an invented price).
 */
import { computeCost } from '../pricing/compute-cost';
import { findPrice } from '../pricing/find-price';
import { PRICE_TABLE } from '../pricing/price-table';
import { isStorableCount } from '../store/storable-values';
import type { WaggleEvent } from './event';

// Only counts the store can keep take part in totals and prices: a count beyond them is dropped or
// refused at ingest (store/storable-values.ts), and must not leave a derived total or cost behind.
const isCount = isStorableCount;

function cachedInputTokens(metadata: WaggleEvent['metadata']): number {
  const value = metadata.cached_input_tokens;
  return isCount(value) ? value : 0;
}

interface UsageAndCost {
  total: number | null;
  cost: number | null;
  /** Set when the cost was computed from the price table: which table and entry priced the event. */
  pricing?: { table_version: string; model_id: string };
}

/** The total tokens and cost an event should carry; the event itself is not changed. */
function usageAndCost(event: WaggleEvent): UsageAndCost {
  const prompt = isCount(event.prompt_tokens) ? event.prompt_tokens : null;
  const completion = isCount(event.completion_tokens) ? event.completion_tokens : null;
  const hasUsage = prompt !== null || completion !== null;

  let total = event.total_tokens;
  if (total === null && hasUsage) total = (prompt ?? 0) + (completion ?? 0);

  if (event.cost === null && hasUsage && event.model !== null && event.model !== '') {
    const price = findPrice(event.model, event.provider ?? undefined);
    if (price !== undefined) {
      const cost = computeCost(price, {
        promptTokens: prompt ?? 0,
        completionTokens: completion ?? 0,
        cachedInputTokens: cachedInputTokens(event.metadata),
      });
      // Say which table and entry priced the event, so a later price change can be audited.
      return { total, cost, pricing: { table_version: PRICE_TABLE.version, model_id: price.id } };
    }
  }
  return { total, cost: event.cost };
}

/** Returns `event` when nothing changes, else a copy with the computed usage and cost. */
export function applyUsageAndCost(event: WaggleEvent): WaggleEvent {
  const { total, cost, pricing } = usageAndCost(event);
  if (total === event.total_tokens && cost === event.cost) return event;
  const metadata = pricing === undefined ? event.metadata : { ...event.metadata, pricing };
  return { ...event, total_tokens: total, cost, metadata };
}

/**
 * Same result as applyUsageAndCost, written into `event`, for callers that just built the event
 * and own it and its metadata (normalizeSpan): no copy of the event and its metadata per span.
 */
export function applyUsageAndCostInPlace(event: WaggleEvent): void {
  const { total, cost, pricing } = usageAndCost(event);
  event.total_tokens = total;
  event.cost = cost;
  if (pricing !== undefined) event.metadata.pricing = pricing;
}
