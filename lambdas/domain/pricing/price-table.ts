/**
 * Waggle's versioned list-price table (USD per million tokens). Sources, dates and the update
 * procedure are in docs/pricing.md; bump `version` whenever a price changes so events can say
 * which table priced them.
 */

export interface ModelPrice {
  /** Stable id of the entry (the canonical model name). */
  id: string;
  /** Who sells the model at this price: openai, anthropic, google, meta, mistral, amazon, cohere. */
  provider: string;
  /**
   * Canonical names (lowercase, no provider prefix, no date) that identify the model. A model name
   * matches a pattern when, after normalization, it equals the pattern or continues it with only
   * version/date suffixes (see find-price.ts).
   */
  match: string[];
  /** USD per million input (prompt) tokens. */
  input: number;
  /** USD per million output (completion) tokens. */
  output: number;
  /** USD per million cached input tokens (cache reads); absent when the provider has no cached rate. */
  cachedInput?: number;
}

export interface PriceTable {
  version: string;
  currency: 'USD';
  unit: 'per_million_tokens';
  models: ModelPrice[];
}

export const PRICE_TABLE: PriceTable = {
  version: '2026-11-01',
  currency: 'USD',
  unit: 'per_million_tokens',
  models: [
    // OpenAI (platform.openai.com/docs/pricing, standard tier)
    {
      id: 'gpt-5',
      provider: 'openai',
      match: ['gpt-5', 'gpt-5-chat', 'gpt-5-codex'],
      input: 1.25,
      output: 10,
      cachedInput: 0.125,
    },
    {
      id: 'gpt-5-mini',
      provider: 'openai',
      match: ['gpt-5-mini'],
      input: 0.25,
      output: 2,
      cachedInput: 0.025,
    },
    {
      id: 'gpt-5-nano',
      provider: 'openai',
      match: ['gpt-5-nano'],
      input: 0.05,
      output: 0.4,
      cachedInput: 0.005,
    },
    { id: 'gpt-4.1', provider: 'openai', match: ['gpt-4.1'], input: 2, output: 8, cachedInput: 0.5 },
    {
      id: 'gpt-4.1-mini',
      provider: 'openai',
      match: ['gpt-4.1-mini'],
      input: 0.4,
      output: 1.6,
      cachedInput: 0.1,
    },
    {
      id: 'gpt-4.1-nano',
      provider: 'openai',
      match: ['gpt-4.1-nano'],
      input: 0.1,
      output: 0.4,
      cachedInput: 0.025,
    },
    {
      id: 'gpt-4o',
      provider: 'openai',
      match: ['gpt-4o', 'chatgpt-4o'],
      input: 2.5,
      output: 10,
      cachedInput: 1.25,
    },
    {
      id: 'gpt-4o-mini',
      provider: 'openai',
      match: ['gpt-4o-mini'],
      input: 0.15,
      output: 0.6,
      cachedInput: 0.075,
    },
    {
      id: 'gpt-4-turbo',
      provider: 'openai',
      match: ['gpt-4-turbo', 'gpt-4-turbo-preview'],
      input: 10,
      output: 30,
    },
    { id: 'gpt-4', provider: 'openai', match: ['gpt-4'], input: 30, output: 60 },
    {
      id: 'gpt-3.5-turbo',
      provider: 'openai',
      match: ['gpt-3.5-turbo', 'gpt-35-turbo'],
      input: 0.5,
      output: 1.5,
    },
    { id: 'o1', provider: 'openai', match: ['o1'], input: 15, output: 60, cachedInput: 7.5 },
    { id: 'o1-pro', provider: 'openai', match: ['o1-pro'], input: 150, output: 600 },
    { id: 'o1-mini', provider: 'openai', match: ['o1-mini'], input: 1.1, output: 4.4, cachedInput: 0.55 },
    { id: 'o3', provider: 'openai', match: ['o3'], input: 2, output: 8, cachedInput: 0.5 },
    { id: 'o3-mini', provider: 'openai', match: ['o3-mini'], input: 1.1, output: 4.4, cachedInput: 0.55 },
    { id: 'o4-mini', provider: 'openai', match: ['o4-mini'], input: 1.1, output: 4.4, cachedInput: 0.275 },
    {
      id: 'text-embedding-3-small',
      provider: 'openai',
      match: ['text-embedding-3-small'],
      input: 0.02,
      output: 0,
    },
    {
      id: 'text-embedding-3-large',
      provider: 'openai',
      match: ['text-embedding-3-large'],
      input: 0.13,
      output: 0,
    },
    {
      id: 'text-embedding-ada-002',
      provider: 'openai',
      match: ['text-embedding-ada-002'],
      input: 0.1,
      output: 0,
    },

    // Anthropic (anthropic.com/pricing; cachedInput is the cache-read rate, 0.1x input)
    {
      id: 'claude-opus-4-5',
      provider: 'anthropic',
      match: ['claude-opus-4-5', 'claude-opus-4.5'],
      input: 5,
      output: 25,
      cachedInput: 0.5,
    },
    {
      id: 'claude-opus-4-1',
      provider: 'anthropic',
      match: ['claude-opus-4-1', 'claude-opus-4.1'],
      input: 15,
      output: 75,
      cachedInput: 1.5,
    },
    {
      id: 'claude-opus-4',
      provider: 'anthropic',
      match: ['claude-opus-4', 'claude-4-opus'],
      input: 15,
      output: 75,
      cachedInput: 1.5,
    },
    {
      id: 'claude-sonnet-4-5',
      provider: 'anthropic',
      match: ['claude-sonnet-4-5', 'claude-sonnet-4.5'],
      input: 3,
      output: 15,
      cachedInput: 0.3,
    },
    {
      id: 'claude-sonnet-4',
      provider: 'anthropic',
      match: ['claude-sonnet-4', 'claude-4-sonnet'],
      input: 3,
      output: 15,
      cachedInput: 0.3,
    },
    {
      id: 'claude-haiku-4-5',
      provider: 'anthropic',
      match: ['claude-haiku-4-5', 'claude-haiku-4.5'],
      input: 1,
      output: 5,
      cachedInput: 0.1,
    },
    {
      id: 'claude-3-7-sonnet',
      provider: 'anthropic',
      match: ['claude-3-7-sonnet', 'claude-3.7-sonnet'],
      input: 3,
      output: 15,
      cachedInput: 0.3,
    },
    {
      id: 'claude-3-5-sonnet',
      provider: 'anthropic',
      match: ['claude-3-5-sonnet', 'claude-3.5-sonnet'],
      input: 3,
      output: 15,
      cachedInput: 0.3,
    },
    {
      id: 'claude-3-5-haiku',
      provider: 'anthropic',
      match: ['claude-3-5-haiku', 'claude-3.5-haiku'],
      input: 0.8,
      output: 4,
      cachedInput: 0.08,
    },
    {
      id: 'claude-3-opus',
      provider: 'anthropic',
      match: ['claude-3-opus'],
      input: 15,
      output: 75,
      cachedInput: 1.5,
    },
    { id: 'claude-3-sonnet', provider: 'anthropic', match: ['claude-3-sonnet'], input: 3, output: 15 },
    {
      id: 'claude-3-haiku',
      provider: 'anthropic',
      match: ['claude-3-haiku'],
      input: 0.25,
      output: 1.25,
      cachedInput: 0.03,
    },

    // Google Gemini API (ai.google.dev/gemini-api/docs/pricing; prompts up to the first price tier)
    {
      id: 'gemini-2.5-pro',
      provider: 'google',
      match: ['gemini-2.5-pro'],
      input: 1.25,
      output: 10,
      cachedInput: 0.125,
    },
    {
      id: 'gemini-2.5-flash',
      provider: 'google',
      match: ['gemini-2.5-flash'],
      input: 0.3,
      output: 2.5,
      cachedInput: 0.03,
    },
    {
      id: 'gemini-2.5-flash-lite',
      provider: 'google',
      match: ['gemini-2.5-flash-lite'],
      input: 0.1,
      output: 0.4,
      cachedInput: 0.01,
    },
    {
      id: 'gemini-2.0-flash',
      provider: 'google',
      match: ['gemini-2.0-flash'],
      input: 0.1,
      output: 0.4,
      cachedInput: 0.025,
    },
    {
      id: 'gemini-2.0-flash-lite',
      provider: 'google',
      match: ['gemini-2.0-flash-lite'],
      input: 0.075,
      output: 0.3,
    },
    {
      id: 'gemini-1.5-pro',
      provider: 'google',
      match: ['gemini-1.5-pro'],
      input: 1.25,
      output: 5,
      cachedInput: 0.3125,
    },
    {
      id: 'gemini-1.5-flash',
      provider: 'google',
      match: ['gemini-1.5-flash'],
      input: 0.075,
      output: 0.3,
      cachedInput: 0.01875,
    },
    {
      id: 'gemini-1.5-flash-8b',
      provider: 'google',
      match: ['gemini-1.5-flash-8b'],
      input: 0.0375,
      output: 0.15,
      cachedInput: 0.01,
    },

    // Meta Llama on Amazon Bedrock (aws.amazon.com/bedrock/pricing, us-east-1 on-demand)
    {
      id: 'llama4-maverick-17b',
      provider: 'meta',
      match: ['llama4-maverick-17b', 'llama-4-maverick-17b'],
      input: 0.24,
      output: 0.97,
    },
    {
      id: 'llama4-scout-17b',
      provider: 'meta',
      match: ['llama4-scout-17b', 'llama-4-scout-17b'],
      input: 0.17,
      output: 0.66,
    },
    {
      id: 'llama3-3-70b',
      provider: 'meta',
      match: ['llama3-3-70b', 'llama-3.3-70b'],
      input: 0.72,
      output: 0.72,
    },
    {
      id: 'llama3-2-90b',
      provider: 'meta',
      match: ['llama3-2-90b', 'llama-3.2-90b'],
      input: 0.72,
      output: 0.72,
    },
    {
      id: 'llama3-2-11b',
      provider: 'meta',
      match: ['llama3-2-11b', 'llama-3.2-11b'],
      input: 0.16,
      output: 0.16,
    },
    {
      id: 'llama3-2-3b',
      provider: 'meta',
      match: ['llama3-2-3b', 'llama-3.2-3b'],
      input: 0.15,
      output: 0.15,
    },
    { id: 'llama3-2-1b', provider: 'meta', match: ['llama3-2-1b', 'llama-3.2-1b'], input: 0.1, output: 0.1 },
    {
      id: 'llama3-1-405b',
      provider: 'meta',
      match: ['llama3-1-405b', 'llama-3.1-405b'],
      input: 2.4,
      output: 2.4,
    },
    {
      id: 'llama3-1-70b',
      provider: 'meta',
      match: ['llama3-1-70b', 'llama-3.1-70b'],
      input: 0.72,
      output: 0.72,
    },
    {
      id: 'llama3-1-8b',
      provider: 'meta',
      match: ['llama3-1-8b', 'llama-3.1-8b'],
      input: 0.22,
      output: 0.22,
    },
    { id: 'llama3-70b', provider: 'meta', match: ['llama3-70b', 'llama-3-70b'], input: 2.65, output: 3.5 },
    { id: 'llama3-8b', provider: 'meta', match: ['llama3-8b', 'llama-3-8b'], input: 0.3, output: 0.6 },

    // Mistral AI (mistral.ai/pricing, La Plateforme)
    { id: 'mistral-large', provider: 'mistral', match: ['mistral-large'], input: 2, output: 6 },
    { id: 'mistral-medium', provider: 'mistral', match: ['mistral-medium'], input: 0.4, output: 2 },
    { id: 'mistral-small', provider: 'mistral', match: ['mistral-small'], input: 0.1, output: 0.3 },
    {
      id: 'mistral-nemo',
      provider: 'mistral',
      match: ['mistral-nemo', 'open-mistral-nemo'],
      input: 0.15,
      output: 0.15,
    },
    { id: 'codestral', provider: 'mistral', match: ['codestral'], input: 0.3, output: 0.9 },
    { id: 'pixtral-large', provider: 'mistral', match: ['pixtral-large'], input: 2, output: 6 },
    { id: 'ministral-8b', provider: 'mistral', match: ['ministral-8b'], input: 0.1, output: 0.1 },
    { id: 'ministral-3b', provider: 'mistral', match: ['ministral-3b'], input: 0.04, output: 0.04 },
    { id: 'mistral-embed', provider: 'mistral', match: ['mistral-embed'], input: 0.1, output: 0 },

    // Amazon Nova on Bedrock (aws.amazon.com/bedrock/pricing, us-east-1 on-demand)
    {
      id: 'nova-premier',
      provider: 'amazon',
      match: ['nova-premier'],
      input: 2.5,
      output: 12.5,
      cachedInput: 0.625,
    },
    { id: 'nova-pro', provider: 'amazon', match: ['nova-pro'], input: 0.8, output: 3.2, cachedInput: 0.2 },
    {
      id: 'nova-lite',
      provider: 'amazon',
      match: ['nova-lite'],
      input: 0.06,
      output: 0.24,
      cachedInput: 0.015,
    },
    {
      id: 'nova-micro',
      provider: 'amazon',
      match: ['nova-micro'],
      input: 0.035,
      output: 0.14,
      cachedInput: 0.00875,
    },

    // Cohere (cohere.com/pricing)
    { id: 'command-a', provider: 'cohere', match: ['command-a'], input: 2.5, output: 10 },
    { id: 'command-r-plus', provider: 'cohere', match: ['command-r-plus'], input: 2.5, output: 10 },
    { id: 'command-r', provider: 'cohere', match: ['command-r'], input: 0.15, output: 0.6 },
    { id: 'command-r7b', provider: 'cohere', match: ['command-r7b'], input: 0.0375, output: 0.15 },
    {
      id: 'embed-english-v3',
      provider: 'cohere',
      match: ['embed-english-v3', 'embed-english-v3.0'],
      input: 0.1,
      output: 0,
    },
    {
      id: 'embed-multilingual-v3',
      provider: 'cohere',
      match: ['embed-multilingual-v3', 'embed-multilingual-v3.0'],
      input: 0.1,
      output: 0,
    },
  ],
};
