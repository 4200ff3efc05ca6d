/**
 * Finds the price of a model from the free-form model string an instrumentation reports
 * (`openai/gpt-4o`, `us.anthropic.claude-3-5-sonnet-20240620-v1:0`, `models/gemini-1.5-pro-002`).
 * Matching rules are documented in docs/pricing.md.
 */
import { type ModelPrice, PRICE_TABLE, type PriceTable } from './price-table';

/** Bedrock cross-region inference profile prefixes (`us.anthropic.claude-...`). */
const BEDROCK_REGION_PREFIX = /^(?:us|us-gov|eu|apac|global|jp|au|ca)\./;
/** Bedrock model ids and some gateways name the vendor first (`anthropic.claude-...`, `openai:gpt-4o`). */
const VENDOR_PREFIX =
  /^(?:anthropic|meta|amazon|mistral|mistralai|cohere|ai21|openai|google|deepseek|writer)[.:]/;
/**
 * What may follow a canonical name and still be the same priced model: dates (`-2024-08-06`,
 * `-20241022`, `@20241022`), snapshot numbers (`-002`, `-0125`), `-latest`/`-preview`/`-exp`,
 * `-instruct`, Bedrock versions (`-v1:0`) and Vertex revisions (`-v2`). Anything else (e.g.
 * `-8b`, `-audio`, `.1`) makes it a different model, so it is not priced rather than mispriced.
 */
const VERSION_SUFFIX = /^(?:[-_@](?:\d{2,8}|latest|preview|exp|instruct|chat|v\d+)|:\d+)*$/;

const DEFAULT_CACHE_SIZE = 1024;

/** Lowercases and strips path, gateway, Bedrock region and vendor prefixes. */
export function canonicalModelName(model: string): string {
  let name = model.trim().toLowerCase();
  const slash = name.lastIndexOf('/');
  if (slash >= 0) name = name.slice(slash + 1);
  name = name.replace(BEDROCK_REGION_PREFIX, '');
  return name.replace(VENDOR_PREFIX, '');
}

/** Maps the many provider spellings (gen_ai.provider.name, llm.provider, ...) to a price-table seller. */
function canonicalProvider(provider: string): string | undefined {
  const p = provider.toLowerCase();
  if (p.includes('openai') || p.includes('azure')) return 'openai';
  if (p.includes('anthropic')) return 'anthropic';
  if (p.includes('gemini') || p.includes('google') || p.includes('vertex') || p.startsWith('gcp'))
    return 'google';
  if (p.includes('mistral')) return 'mistral';
  if (p.includes('cohere')) return 'cohere';
  if (p.includes('meta') || p.includes('llama')) return 'meta';
  if (p.includes('amazon') || p.includes('bedrock') || p.startsWith('aws') || p.includes('nova'))
    return 'amazon';
  return undefined;
}

interface Candidate {
  pattern: string;
  price: ModelPrice;
}

type PriceFinder = (model: string, provider?: string) => ModelPrice | undefined;

/** Builds a memoized finder over a table; the cache holds at most `cacheSize` distinct lookups. */
export function createPriceFinder(table: PriceTable, cacheSize = DEFAULT_CACHE_SIZE): PriceFinder {
  // Longest pattern first, so the first hit is the most specific (`gpt-4o-mini` before `gpt-4o`).
  const candidates: Candidate[] = table.models
    .flatMap((price) => price.match.map((pattern) => ({ pattern: pattern.toLowerCase(), price })))
    .sort((a, b) => b.pattern.length - a.pattern.length);
  // Keyed by provider, then model: the decoded strings are reused across spans, so no key is built per lookup.
  const cache = new Map<string | undefined, Map<string, ModelPrice | null>>();
  let cached = 0;

  function lookup(model: string, provider: string | undefined): ModelPrice | undefined {
    const name = canonicalModelName(model);
    if (name === '') return undefined;
    const seller = provider === undefined ? undefined : canonicalProvider(provider);
    let best: Candidate | undefined;
    for (const candidate of candidates) {
      if (best !== undefined && candidate.pattern.length < best.pattern.length) break;
      if (!name.startsWith(candidate.pattern)) continue;
      if (!VERSION_SUFFIX.test(name.slice(candidate.pattern.length))) continue;
      if (best === undefined || (seller !== undefined && candidate.price.provider === seller))
        best = candidate;
    }
    return best?.price;
  }

  return (model, provider) => {
    let byModel = cache.get(provider);
    const hit = byModel?.get(model);
    if (hit !== undefined) return hit ?? undefined;
    const found = lookup(model, provider);
    // Bounded: start over when full, so hostile model names cannot grow memory.
    if (cached >= cacheSize) {
      cache.clear();
      cached = 0;
      byModel = undefined;
    }
    if (byModel === undefined) {
      byModel = new Map();
      cache.set(provider, byModel);
    }
    byModel.set(model, found ?? null);
    cached++;
    return found;
  };
}

/** Price of `model` in Waggle's current price table, or undefined when the model is not listed. */
export const findPrice: PriceFinder = createPriceFinder(PRICE_TABLE);
