import { describe, expect, it } from 'vitest';
import { createPriceFinder } from '../../../lambdas/domain/pricing/find-price';
import { PRICE_TABLE } from '../../../lambdas/domain/pricing/price-table';

describe('price finder cache', () => {
  it('keeps the answers of an uncached finder for every provider, across cache restarts', () => {
    const models = ['gpt-4o-2024-08-06', 'gpt-4o-mini', 'claude-sonnet-4-5-20250929', 'unknown-model', ''];
    const providers = [undefined, 'openai', 'anthropic', 'aws.bedrock', ''];
    const small = createPriceFinder(PRICE_TABLE, 3);
    for (let round = 0; round < 3; round++) {
      for (const provider of providers) {
        for (const model of models) {
          expect(small(model, provider)).toBe(createPriceFinder(PRICE_TABLE)(model, provider));
        }
      }
    }
  });
});
