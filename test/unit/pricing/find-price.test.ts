import { describe, expect, it } from 'vitest';
import { computeCost } from '../../../lambdas/domain/pricing/compute-cost';
import { canonicalModelName, createPriceFinder, findPrice } from '../../../lambdas/domain/pricing/find-price';
import { PRICE_TABLE } from '../../../lambdas/domain/pricing/price-table';

describe('findPrice', () => {
  it.each([
    ['gpt-4o', 'gpt-4o'],
    ['GPT-4o', 'gpt-4o'],
    ['openai/gpt-4o', 'gpt-4o'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o-mini', 'gpt-4o-mini'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['gpt-4.1-nano-2025-04-14', 'gpt-4.1-nano'],
    ['gpt-3.5-turbo-0125', 'gpt-3.5-turbo'],
    ['o3-mini', 'o3-mini'],
    ['claude-3-5-sonnet-20241022', 'claude-3-5-sonnet'],
    ['claude-3-5-sonnet-latest', 'claude-3-5-sonnet'],
    ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'claude-3-5-sonnet'],
    ['us.anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet'],
    ['claude-3-5-sonnet-v2@20241022', 'claude-3-5-sonnet'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0', 'claude-3-haiku'],
    ['models/gemini-1.5-pro', 'gemini-1.5-pro'],
    ['gemini-1.5-pro-002', 'gemini-1.5-pro'],
    ['gemini-1.5-flash-8b', 'gemini-1.5-flash-8b'],
    ['gemini-2.5-flash-lite', 'gemini-2.5-flash-lite'],
    ['gemini-2.5-flash-preview-05-20', 'gemini-2.5-flash'],
    ['meta.llama3-1-70b-instruct-v1:0', 'llama3-1-70b'],
    ['us.meta.llama3-2-11b-instruct-v1:0', 'llama3-2-11b'],
    ['mistral-large-2411', 'mistral-large'],
    ['mistral.mistral-large-2407-v1:0', 'mistral-large'],
    ['amazon.nova-pro-v1:0', 'nova-pro'],
    ['us.amazon.nova-micro-v1:0', 'nova-micro'],
    ['cohere.command-r-plus-v1:0', 'command-r-plus'],
    ['command-r-08-2024', 'command-r'],
  ])('prices %s as %s', (model, id) => {
    expect(findPrice(model)?.id).toBe(id);
  });

  it.each([
    'gpt-4o-audio-preview-2024-10-01', // a different product, not gpt-4o
    'gpt-4.5-preview',
    'gpt-4-32k',
    'claude-opus-4-7',
    'my-finetuned-model',
    '',
    '   ',
  ])('does not invent a price for %j', (model) => {
    expect(findPrice(model)).toBeUndefined();
  });

  it('prefers the longest pattern (gpt-4o-mini is not gpt-4o)', () => {
    const mini = findPrice('gpt-4o-mini');
    const full = findPrice('gpt-4o');
    expect(mini?.input).toBeLessThan(full?.input ?? 0);
  });

  it('strips known vendor gateways before matching', () => {
    expect(canonicalModelName('openai:GPT-4o')).toBe('gpt-4o');
    expect(canonicalModelName('eu.anthropic.claude-3-haiku-20240307-v1:0')).toBe(
      'claude-3-haiku-20240307-v1:0',
    );
  });

  it('uses the provider to break a tie between sellers of the same name', () => {
    const table = {
      ...PRICE_TABLE,
      models: [
        { id: 'llama-direct', provider: 'meta', match: ['llama-x'], input: 1, output: 1 },
        { id: 'llama-bedrock', provider: 'amazon', match: ['llama-x'], input: 2, output: 2 },
      ],
    };
    const finder = createPriceFinder(table);
    expect(finder('llama-x')?.id).toBe('llama-direct');
    expect(finder('llama-x', 'aws.bedrock')?.id).toBe('llama-bedrock');
  });

  it('memoizes lookups and keeps the cache bounded', () => {
    const finder = createPriceFinder(PRICE_TABLE, 4);
    const first = finder('gpt-4o-2024-08-06');
    expect(finder('gpt-4o-2024-08-06')).toBe(first);
    for (let i = 0; i < 50; i++) expect(finder(`unknown-${i}`)).toBeUndefined();
    expect(finder('gpt-4o-2024-08-06')).toBe(first);
  });

  it('has a valid, versioned table', () => {
    expect(PRICE_TABLE.version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const ids = new Set<string>();
    for (const model of PRICE_TABLE.models) {
      expect(ids.has(model.id)).toBe(false);
      ids.add(model.id);
      expect(model.match.length).toBeGreaterThan(0);
      for (const pattern of model.match) expect(pattern).toBe(pattern.toLowerCase());
      expect(model.input).toBeGreaterThanOrEqual(0);
      expect(model.output).toBeGreaterThanOrEqual(0);
      if (model.cachedInput !== undefined) expect(model.cachedInput).toBeLessThanOrEqual(model.input);
    }
    for (const provider of ['openai', 'anthropic', 'google', 'meta', 'mistral', 'amazon', 'cohere']) {
      expect(PRICE_TABLE.models.some((m) => m.provider === provider)).toBe(true);
    }
  });
});

describe('computeCost', () => {
  const price = { id: 'x', provider: 'openai', match: ['x'], input: 2.5, output: 10, cachedInput: 1.25 };

  it('prices input and output per million tokens', () => {
    expect(
      computeCost(price, { promptTokens: 1_000_000, completionTokens: 1_000_000, cachedInputTokens: 0 }),
    ).toBe(12.5);
    expect(computeCost(price, { promptTokens: 120, completionTokens: 48, cachedInputTokens: 0 })).toBeCloseTo(
      0.00078,
      12,
    );
  });

  it('prices the cached part of the prompt at the cached rate', () => {
    expect(
      computeCost(price, { promptTokens: 1_000_000, completionTokens: 0, cachedInputTokens: 400_000 }),
    ).toBeCloseTo(0.6 * 2.5 + 0.4 * 1.25, 12);
  });

  it('never counts more cached tokens than prompt tokens', () => {
    expect(
      computeCost(price, { promptTokens: 100, completionTokens: 0, cachedInputTokens: 1000 }),
    ).toBeCloseTo((100 * 1.25) / 1e6, 12);
  });

  it('falls back to the input rate when the model has no cached rate', () => {
    const noCache = { ...price, cachedInput: undefined };
    expect(
      computeCost(noCache, { promptTokens: 1000, completionTokens: 0, cachedInputTokens: 500 }),
    ).toBeCloseTo((1000 * 2.5) / 1e6, 12);
  });
});
